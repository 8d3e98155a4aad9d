// pflag-compatible flags and a cobra-like command tree configured as docker/cli configures cobra.
export * from './values';
export * from './flagset';
export * from './command';
export { parseDuration, formatDuration } from '../../go/duration';
export { goQuote, parseBool, parseInt64, parseUint, parseFloat64, NumError } from '../../go/strconv';
