// A deterministic corpus of realistic messages from a seed (BENCHMARKS.md "Corpus"): log-normal-ish
// sizes, multipart/alternative, some base64 attachments, encoded-word subjects, threads, CRLF endings.

/** Mulberry32: a tiny seeded PRNG, so the same seed gives the same corpus on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  "the quarterly report meeting budget deploy server invoice schedule project review draft design release customer ticket update weekly notes travel lunch agenda contract proposal feedback roadmap".split(
    " ",
  );
const NAMES = [
  "Alice Example",
  "Bob Builder",
  "Chloé Dupont",
  "Jürgen Müller",
  "Sakura Tanaka",
  "Ivan Petrov",
];

/**
 * Rare tokens planted in known messages so search results can be checked: message i carries them when
 * i % PLANT_EVERY === PLANT_OFFSET. TEXT finds the body token, SUBJECT and FROM their own.
 */
export const PLANTED = { body: "xylophonequokka", subject: "Ocelotrarity", from: "Zebediah" } as const;
export const PLANT_EVERY = 10_000;
export const PLANT_OFFSET = 137;

/** How many messages of a corpus of `count` carry the planted tokens. */
export function plantedCount(count: number): number {
  return count > PLANT_OFFSET ? Math.floor((count - 1 - PLANT_OFFSET) / PLANT_EVERY) + 1 : 0;
}

export interface CorpusOptions {
  readonly seed: number;
  /** Target median body size in bytes. */
  readonly medianBytes?: number;
  /** Force every message to about this size instead of the log-normal spread. */
  readonly fixedBytes?: number;
}

export function* generateCorpus(count: number, options: CorpusOptions): Generator<Buffer> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  for (let i = 0; i < count; i++) {
    // Box-Muller normal → log-normal with the median at medianBytes and a long tail.
    const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
    const size =
      options.fixedBytes ?? Math.min(4_000_000, Math.round((options.medianBytes ?? 4000) * Math.exp(normal)));
    const isPlanted = i % PLANT_EVERY === PLANT_OFFSET;
    const from = isPlanted ? `${PLANTED.from} Planted` : pick(NAMES);
    const subject = isPlanted
      ? `${words(2)} ${PLANTED.subject} ${words(2)}`
      : i % 5 === 0
        ? `=?UTF-8?B?${Buffer.from(`Ünïcode ${words(3)}`).toString("base64")}?=`
        : words(4);
    const threadRoot = i % 10 === 0 ? null : i - (i % 10);
    const text = wrap(`${words(Math.max(5, Math.floor(size / 7)))}${isPlanted ? ` ${PLANTED.body}` : ""}\n`);
    const headers = [
      "Return-Path: <sender@example.test>",
      `Received: from mx${i % 7}.example.test by mail.example.test; Thu, 26 Nov 2026 10:00:00 +0000`,
      `From: ${from} <${from.split(" ")[0]?.toLowerCase()}@example.test>`,
      "To: Postfach User <user@example.test>",
      `Subject: ${subject}`,
      `Date: Thu, 26 Nov 2026 ${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00 +0000`,
      `Message-ID: <corpus.${options.seed}.${i}@example.test>`,
      ...(threadRoot === null ? [] : [`In-Reply-To: <corpus.${options.seed}.${threadRoot}@example.test>`]),
      "MIME-Version: 1.0",
    ];
    let body: string;
    if (i % 10 === 3) {
      const attachment = wrap(Buffer.from(words(Math.floor(size / 14))).toString("base64"));
      headers.push('Content-Type: multipart/mixed; boundary="mixed-boundary"');
      body = `--mixed-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text.slice(0, 400)}\r\n--mixed-boundary\r\nContent-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="data.bin"\r\n\r\n${attachment}\r\n--mixed-boundary--\r\n`;
    } else if (i % 2 === 0) {
      headers.push('Content-Type: multipart/alternative; boundary="alt-boundary"');
      const half = text.slice(0, Math.floor(text.length / 2));
      body = `--alt-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${half}\r\n--alt-boundary\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>${half}</p></body></html>\r\n--alt-boundary--\r\n`;
    } else {
      headers.push("Content-Type: text/plain; charset=utf-8");
      body = text;
    }
    yield Buffer.from(`${headers.join("\r\n")}\r\n\r\n${body}`);
  }
}

function wrap(text: string): string {
  return text.replace(/\n/g, " ").replace(/(.{1,76})(\s|$)/g, "$1\r\n");
}
