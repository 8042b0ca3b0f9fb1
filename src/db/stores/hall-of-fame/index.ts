// The hall of fame's stores (docs/hall-of-fame.md): settings per guild, reposts, the reads of captured reactions, stats.
export * from './posts';
export * from './reactions';
export * from './settings';
export * from './stats';
