import { ERROR_CODES, LawfulError } from "./errors.js";

/**
 * The source of time for every Lawful component. Inject it; never call `new Date()` in domain code.
 *
 * @example
 * ```ts
 * import { systemClock, type Clock } from "@lawful/core";
 * const clock: Clock = systemClock;
 * console.log(clock.now().toISOString());
 * ```
 */
export interface Clock {
  /** The current instant. Each call returns a new `Date`. */
  now(): Date;
}

/**
 * The wall clock of the machine.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * const t = systemClock.now();
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

function toDate(at: Date | string | number): Date {
  const d = at instanceof Date ? new Date(at.getTime()) : new Date(at);
  if (Number.isNaN(d.getTime())) throw new LawfulError(ERROR_CODES.INVALID_CONFIGURATION, "Clock time is not a valid date.");
  return d;
}

/**
 * A clock that always answers the same instant.
 *
 * @example
 * ```ts
 * import { createFixedClock } from "@lawful/core";
 * const clock = createFixedClock("2025-03-05T10:00:00Z");
 * clock.now().toISOString(); // "2025-03-05T10:00:00.000Z"
 * ```
 */
export function createFixedClock(at: Date | string | number): Clock {
  const ms = toDate(at).getTime();
  return Object.freeze({ now: () => new Date(ms) });
}

/**
 * A clock for tests that only moves when told to.
 *
 * @example
 * ```ts
 * import { createManualClock } from "@lawful/core";
 * const clock = createManualClock("2025-01-01T00:00:00Z");
 * clock.advance({ days: 30 });
 * clock.now().toISOString(); // "2025-01-31T00:00:00.000Z"
 * ```
 */
export interface ManualClock extends Clock {
  /** Set the current instant. */
  set(at: Date | string | number): void;
  /** Move forward by milliseconds or by a duration of days/hours/minutes/seconds/ms. */
  advance(by: number | { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number }): void;
}

/**
 * Create a {@link ManualClock} starting at `start` (default: the Unix epoch).
 *
 * @example
 * ```ts
 * import { createManualClock } from "@lawful/core";
 * const clock = createManualClock("2025-03-05T09:00:00Z");
 * clock.advance(1000);
 * ```
 */
export function createManualClock(start: Date | string | number = 0): ManualClock {
  let ms = toDate(start).getTime();
  return {
    now: () => new Date(ms),
    set(at) {
      ms = toDate(at).getTime();
    },
    advance(by) {
      const delta =
        typeof by === "number"
          ? by
          : (by.days ?? 0) * 86_400_000 + (by.hours ?? 0) * 3_600_000 + (by.minutes ?? 0) * 60_000 + (by.seconds ?? 0) * 1000 + (by.ms ?? 0);
      if (!Number.isFinite(delta)) throw new LawfulError(ERROR_CODES.INVALID_CONFIGURATION, "Clock advance must be a finite duration.");
      ms += delta;
    },
  };
}
