// docker's output formatting: Go templates, the tab writer, go-units and the ps formatter.
export * from '../../go/units';
export * from '../../go/fmt';
export * from './govalue';
export * from './template';
export * from './tabwriter';
export * from './format';
export * from './display';
export * from './width';
export * from './reference';
export { containerFormat, containerHeader, ContainerContext, containerWrite, displayablePorts, goTimeString } from './container';
export type { ContainerSummary, PortSummary, ContainerWriteOptions } from './container';
