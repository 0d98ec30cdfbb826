// Text encoded as UTF-8 straight into one growing buffer, piece by piece. Joining many strings and then
// encoding the result makes V8 walk a rope of thousands of pieces: `Buffer.from` on a FETCH batch built
// with `+=` cost eight times what writing each piece does (62 MB of ENVELOPE/BODYSTRUCTURE lines: about
// 480 against 60 ms), and the rope itself is garbage to collect.

/** UTF-8 bytes one UTF-16 code unit can need at most (a surrogate pair is 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;
const MIN_CAPACITY = 1024;
/** Digits of the largest safe integer. */
const MAX_UINT_DIGITS = 16;
/** Byte runs up to this long are copied in a loop: TypedArray#set costs more than that for a few bytes. */
const SHORT_COPY_BYTES = 24;
const DIGIT_ZERO = 0x30;

export class Utf8Builder {
  #bytes: Buffer = EMPTY;
  /** Where the bytes not yet taken begin: taken bytes are never written over, only appended after. */
  #start = 0;
  #length = 0;
  /** The size of the next buffer: at least the expected size, then twice the largest run so far. */
  #capacity: number;

  /** `capacity`: the bytes expected, so a builder of a known size never copies what it holds. */
  constructor(capacity = 16 * 1024) {
    this.#capacity = Math.max(capacity, MIN_CAPACITY);
  }

  /** Bytes written since the last take. */
  get byteLength(): number {
    return this.#length - this.#start;
  }

  append(text: string): void {
    // Most text is ASCII: only near the end of the buffer is its exact length worth measuring.
    if (this.#bytes.length - this.#length < text.length * MAX_BYTES_PER_UNIT) {
      this.#reserve(Buffer.byteLength(text, "utf8"));
    }
    this.#length += this.#bytes.write(text, this.#length, "utf8");
  }

  /**
   * Appends bytes already encoded (constant parts of a line, made once): no string is built or encoded.
   * Costs a few nanoseconds a byte where `append` of a short string costs a call into the runtime.
   */
  appendBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    const target = this.#bytes;
    let at = this.#length;
    if (bytes.length > SHORT_COPY_BYTES) {
      target.set(bytes, at);
      at += bytes.length;
    } else {
      for (let i = 0; i < bytes.length; i++) target[at++] = bytes[i] as number;
    }
    this.#length = at;
  }

  /** Appends the decimal digits of a non-negative integer (a UID, a sequence number, a size). */
  appendUint(value: number): void {
    this.#reserve(MAX_UINT_DIGITS);
    const target = this.#bytes;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.#length + digits;
    this.#length = at;
    let rest = value;
    do {
      const next = Math.floor(rest / 10);
      target[--at] = DIGIT_ZERO + (rest - next * 10);
      rest = next;
    } while (rest > 0);
  }

  /**
   * The bytes written since the last take. They stay valid (a socket's queue may hold them): the builder
   * only ever writes after them, in this buffer or a new one.
   */
  take(): Uint8Array {
    const taken = this.#bytes.subarray(this.#start, this.#length);
    this.#start = this.#length;
    // A next run as long as this one would not fit in what is left: it starts in a new buffer rather
    // than be copied into one when it fills this (a listing's batches copied 15 ms of 640 so).
    if (this.#bytes.length - this.#length < taken.length) {
      this.#bytes = EMPTY;
      this.#start = 0;
      this.#length = 0;
    }
    return taken;
  }

  #reserve(bytes: number): void {
    if (this.#bytes.length - this.#length >= bytes) return;
    const held = this.#length - this.#start;
    this.#capacity = Math.max(this.#capacity, (held + bytes) * 2);
    const grown = Buffer.allocUnsafe(this.#capacity);
    this.#bytes.copy(grown, 0, this.#start, this.#length);
    this.#bytes = grown;
    this.#start = 0;
    this.#length = held;
  }
}

const EMPTY = Buffer.alloc(0);
