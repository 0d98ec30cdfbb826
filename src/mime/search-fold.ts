// Case folding for IMAP's substring search (RFC 9051 §6.4.4: "case-insensitive substring"): one rule
// shared by the stored search text and the searched-for string, so both sides fold identically.

/**
 * Folds text for comparison: NFC, upper then lower case (so ß/SS, ς/σ/Σ, Cyrillic and Greek fold
 * together, which SQLite's ASCII-only LIKE does not do), and every run of white space as one space
 * (header folding and the indexer's collapsed body text must not hide a match).
 */
export function foldSearchText(text: string): string {
  return text.normalize("NFC").toUpperCase().toLowerCase().replace(/\s+/gu, " ");
}
