// Small Wasm inputs for tests (unit and e2e), made on the spot with jco:
// nothing binary is committed.
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";

/** A WIT package with one interface, for a component made from WIT alone. */
export const DEMO_WIT = `package acme:demo@0.1.0;

/// Greetings.
interface greet {
  /// Says hello to \`name\`.
  hello: func(name: string) -> string;
}

interface clock {
  now: func() -> u64;
}

world greeter {
  import clock;
  export greet;
}
`;

/** A real component for a WIT world (jco's dummy core module inside). */
export async function componentFromWit(witSource = DEMO_WIT, world = "greeter"): Promise<Uint8Array> {
  const core = await componentEmbed({ dummy: true, witSource, world });
  return componentNew(core);
}

/** A WASI preview1 command module (imports fd_write, exports _start). */
export function preview1Module(): Promise<Uint8Array> {
  return parse(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start")))`);
}

/** A core module that is not WASI: imports env.log, exports add and memory. */
export function plainModule(): Promise<Uint8Array> {
  return parse(`(module
    (import "env" "log" (func (param i32)))
    (memory (export "memory") 1)
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`);
}
