// The Dockerfile front end of the builder, after buildkit's: parser (text → untyped tree) →
// instructions (typed, split into stages) → dispatch (not here yet); shell expands variables.
export * from './parser';
export * from './instructions';
export * from './shell';
