export * from '../../go/digest';
export * from './media-types';
export * from './parse';
export * from './platform';
export type * from './types';
