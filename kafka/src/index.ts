export * from './embedded-transport.ts';
export * from './envelope.ts';
export * from './kafkajs-transport.ts';
export * from './relay.ts';
export * from './topics.ts';
export type * from './transport.ts';
