// The one error class of tessera-auth, and the conversions that make sure no value a user hands
// over can throw while WebAssembly frames are on the stack (a JavaScript exception unwinding
// through Rust frames would leave the instance's stack pointer behind, for good).

const BRAND = Symbol.for("tessera-auth.TesseraError");

/**
 * Every failure tessera-auth reports: `code` is stable (`ERR_…`), `claim` names the claim or
 * option that failed when one did. Messages never contain token bytes, claim values or keys.
 * `instanceof TesseraError` holds across every entry point and copy of the package.
 */
export class TesseraError extends Error {
  constructor(code, message, claim) {
    super(message);
    this.name = "TesseraError";
    this.code = code;
    if (claim !== undefined && claim !== null) this.claim = claim;
  }

  static [Symbol.hasInstance](value) {
    return typeof value === "object" && value !== null && value[BRAND] === true;
  }
}
Object.defineProperty(TesseraError.prototype, BRAND, { value: true });

/** A `TesseraError` with code `code`. */
export function fail(code, message, claim) {
  return new TesseraError(code, message, claim);
}

/**
 * Options (or claims, records) as JSON text, made here where a throwing getter, a Proxy trap, a
 * cycle or a nesting too deep for the engine is caught. `undefined` and `null` are no options.
 */
export function json(value, what, claim = undefined) {
  if (value === undefined || value === null) return "";
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string") {
    throw fail("ERR_INVALID_OPTIONS", `${what} must be a plain, JSON-compatible object`, claim);
  }
  return text;
}

/** `JSON.parse` of text the core made. */
export function parse(text) {
  return JSON.parse(text);
}

/** Throws `ERR_FREED` for an object whose `free()` was called. */
export function freed(name) {
  return fail("ERR_FREED", `this ${name} was freed; make a new one`);
}

/** A function-valued option, or `undefined`. */
export function functionOption(value, what, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "function") throw fail("ERR_INVALID_OPTIONS", `${what} option ${name} must be a function`, name);
  return value;
}
