// The clip feed's stores (docs/feed.md): feeds, their posts, the clips the polls saw and each broadcaster's poll state.
export * from './clips';
export * from './feeds';
export * from './poll-state';
export * from './posts';
export * from './velocity';
