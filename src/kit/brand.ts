// Branded primitive types: a UID can never be passed where a sequence number or a ModSeq is meant.

declare const brand: unique symbol;

/** `T` tagged with the compile-time name `B`; free at run time. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };
