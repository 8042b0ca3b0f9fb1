// Counts the statements every pg client of this process sends, for the bench's round-trip figure and the engine test
// that holds an incremental step's statements constant.
import pg from 'pg';

/** Counts until stop(): each statement is a round trip on PostgreSQL, a figure that does not move with the load. */
export function countRoundTrips(): { stop(): number } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return original.apply(this, args);
  };
  return {
    stop() {
      proto.query = original;
      return count;
    },
  };
}
