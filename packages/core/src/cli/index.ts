/** Command-line helpers shared by gatewave's command lines (`@gatewave/core/cli`); the library never imports them. */
export * from './flags';
export * from './exit';
export * from './program';
