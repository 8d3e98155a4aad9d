// The Engine API's request and response types (moby api/types, v1.50), shared by the engine's views
// and the CLI so that a field renamed on one side fails to compile on the other. Types only, and
// nothing else of src is imported here (the jsonmessage stream's type is src/go/jsonmessage.ts).
export type * from './container';
export type * from './image';
export type * from './volume';
export type * from './network';
export type * from './system';
export type * from './transport';
