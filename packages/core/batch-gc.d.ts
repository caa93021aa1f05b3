/** Imported for its effect: V8's concurrent marking off unless GATEWAVE_CONCURRENT_GC=1 (see batch-gc.js). */
export {};
