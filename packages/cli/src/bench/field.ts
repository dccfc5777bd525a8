/**
 * How one `weft bench` flag's value is read, twice from one definition: `read`, plain code, is
 * what the CLI runs on commander's values (strings, booleans, lists of strings); `schema` builds
 * the zod schema the lab validates scenarios with, on first use. Building ~45 zod schemas at load
 * and running them on every flag cost ≈ 7 ms of each `weft bench`'s start-up
 * (benchmarks/results/smpi.md §37); a preset bench now runs no zod at all.
 *
 * The two agree: a reader's failure is the zod issue's message (`'TEXT' REASON`), and a value of
 * the wrong type gets zod's own wording (commander never gives one; the lab's values go through
 * zod).
 */
import { z } from 'zod';
import { accept, reject, type Read } from '../names.js';

export interface Field<S extends z.ZodType> {
  /** The value, or the message of the issue the schema would raise for it. */
  read(value: unknown): Read<z.output<S>>;
  /** A new zod schema that reads values as `read` does. */
  schema(): S;
}

/** zod's invalid_type message (`Invalid input: expected string, received number`). */
function wrongType<T>(expected: string, value: unknown): Read<T> {
  const received = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return reject(`Invalid input: expected ${expected}, received ${received}`);
}

/** A flag's text as its reader sees it; the issue names the flag and repeats the text. */
export function text<T>(read: (text: string) => Read<T>) {
  const issue = (value: string, result: Read<T>): Read<T> => (result.ok ? result : reject(`'${value}' ${result.reason}`));
  return {
    read: (value: unknown) => (typeof value === 'string' ? issue(value, read(value)) : wrongType<T>('string', value)),
    schema: () =>
      z.string().transform((value, ctx): T => {
        const result = issue(value, read(value));
        if (result.ok) return result.value;
        ctx.addIssue({ code: 'custom', message: result.reason });
        return z.NEVER;
      }),
  } satisfies Field<z.ZodType<T, string>>;
}

/** Any string, as given (file paths, specs read later). */
export const string = {
  read: (value: unknown): Read<string> => (typeof value === 'string' ? accept(value) : wrongType('string', value)),
  schema: () => z.string(),
} satisfies Field<z.ZodString>;

/** A switch: commander's `true` when given. */
export const boolean = {
  read: (value: unknown): Read<boolean> => (typeof value === 'boolean' ? accept(value) : wrongType('boolean', value)),
  schema: () => z.boolean(),
} satisfies Field<z.ZodBoolean>;

/** Absent (undefined) allowed. */
export function optional<S extends z.ZodType>(field: Field<S>): Field<z.ZodOptional<S>> {
  return {
    read: (value) => (value === undefined ? accept(undefined) : field.read(value)),
    schema: () => field.schema().optional(),
  };
}

/** The value read, then mapped (zod's `.transform(map)`). */
export function mapped<S extends z.ZodType, U>(field: Field<S>, map: (value: z.output<S>) => U): Field<z.ZodPipe<S, z.ZodTransform<Awaited<U>, z.output<S>>>> {
  return {
    read: (value) => {
      const result = field.read(value);
      return result.ok ? accept(map(result.value) as Awaited<U>) : result;
    },
    schema: () => field.schema().transform(map),
  };
}

/** A list (a repeatable flag's values): the first item that fails is the issue. */
export function list<S extends z.ZodType>(item: Field<S>): Field<z.ZodArray<S>> {
  return {
    read: (value) => {
      if (!Array.isArray(value)) return wrongType('array', value);
      // Every item is read, as zod reads them (a reader that throws does so here too).
      const results = (value as unknown[]).map((one) => item.read(one));
      const failed = results.find((result) => !result.ok);
      return failed ?? accept(results.map((result) => (result as { readonly value: z.output<S> }).value));
    },
    schema: () => z.array(item.schema()),
  };
}
