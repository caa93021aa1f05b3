import { ForecastError } from '@gatewave/forecast';

/** Expects `fn` to throw a ForecastError with `code` and a message matching `pattern`. */
export function expectError(fn: () => unknown, code: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ForecastError);
  expect((caught as ForecastError).code).toBe(code);
  expect((caught as ForecastError).message).toMatch(pattern);
}
