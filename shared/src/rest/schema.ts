import type { z } from 'zod';

/** `T` with `| undefined` allowed on every optional key, all the way down (what zod outputs for `.optional()`). */
export type Loose<T> = T extends readonly (infer E)[]
  ? Loose<E>[]
  : T extends object
    ? { [K in keyof T]: undefined extends T[K] ? Loose<T[K]> | undefined : Loose<T[K]> }
    : T;

/**
 * Ties a schema to an interface that already exists: a compile error unless the schema's
 * output matches `T`. zod types an optional key as `?: V | undefined`; a JSON body can never
 * hold `undefined`, so what such a schema parses from JSON is a `T` under
 * `exactOptionalPropertyTypes`, which is all this asserts.
 * @example export const reportStatusSchema = schemaOf<ReportStatus>()(z.object({ … }));
 */
export const schemaOf =
  <T>() =>
  <S extends z.ZodType<Loose<T>>>(schema: S): z.ZodType<T> =>
    schema as z.ZodType<T>;
