// The fake Discord for tests: a gateway + REST server on 127.0.0.1, its OAuth2, and builders for realistic payloads.
export * from './oauth';
export * from './payloads';
export * from './server';
