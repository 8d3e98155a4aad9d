// Parsers for the option values docker validates on the client, with docker's error texts.
export * from './ports';
export * from './mounts';
export * from './env';
export * from './resources';
