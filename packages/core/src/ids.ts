import { randomFillSync } from "node:crypto";
import { systemClock, type Clock } from "./clock.js";

/**
 * A function that returns a new unique id on each call. Inject it; never call `randomUUID()` in domain code.
 *
 * @example
 * ```ts
 * import { createUuidV7Generator, type IdGenerator } from "@lawful/core";
 * const nextId: IdGenerator = createUuidV7Generator();
 * nextId(); // "0192f1c6-..."
 * ```
 */
export type IdGenerator = () => string;

/**
 * Options of {@link createUuidV7Generator}.
 *
 * @example
 * ```ts
 * import { createFixedClock, createUuidV7Generator } from "@lawful/core";
 * const ids = createUuidV7Generator({ clock: createFixedClock(0) });
 * ```
 */
export interface UuidV7Options {
  /** Time source for the 48-bit timestamp. @default systemClock */
  clock?: Clock | undefined;
  /** Fills a buffer with random bytes. @default crypto.randomFillSync */
  random?: ((bytes: Uint8Array) => void) | undefined;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Create a generator of RFC 9562 UUIDv7 ids: time-ordered, and strictly
 * increasing within one generator even when many ids share a millisecond
 * (the 12-bit `rand_a` field is used as a counter, method 1 of RFC 9562 §6.2).
 *
 * @example
 * ```ts
 * import { createUuidV7Generator } from "@lawful/core";
 * const nextId = createUuidV7Generator();
 * const a = nextId(), b = nextId();
 * a < b; // true
 * ```
 */
export function createUuidV7Generator(options: UuidV7Options = {}): IdGenerator {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? ((b: Uint8Array) => void randomFillSync(b));
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return () => {
    let ms = clock.now().getTime();
    random(bytes);
    if (ms <= lastMs) {
      counter++;
      if (counter > 0xfff) {
        // counter exhausted: borrow the next millisecond to stay monotonic
        lastMs++;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = (bytes[6]! & 0x07) << 8 | bytes[7]!; // random start, leaves headroom
    }
    bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
    bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
    bytes[2] = (ms >>> 24) & 0xff;
    bytes[3] = (ms >>> 16) & 0xff;
    bytes[4] = (ms >>> 8) & 0xff;
    bytes[5] = ms & 0xff;
    bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    let out = "";
    for (let i = 0; i < 16; i++) {
      out += HEX[bytes[i]!]!;
      if (i === 3 || i === 5 || i === 7 || i === 9) out += "-";
    }
    return out;
  };
}

/**
 * The millisecond timestamp encoded in a UUIDv7.
 *
 * @example
 * ```ts
 * import { uuidV7Timestamp } from "@lawful/core";
 * uuidV7Timestamp("01890a5d-ac96-774b-bcce-b302099a8057").toISOString();
 * ```
 */
export function uuidV7Timestamp(id: string): Date {
  const hex = id.replace(/-/g, "").slice(0, 12);
  return new Date(parseInt(hex, 16));
}
