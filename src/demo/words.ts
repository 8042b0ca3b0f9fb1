// Word lists for the synthetic community's names, titles and clip slugs (made up, except real game names).

export const SLUG_ADJECTIVES = [
  'Awkward', 'Brave', 'Clever', 'Crispy', 'Curious', 'Dark', 'Delightful', 'Elegant', 'Fancy', 'Fast', 'Fragile',
  'Funny', 'Gentle', 'Glamorous', 'Gorgeous', 'Helpless', 'Hilarious', 'Hungry', 'Lazy', 'Loud', 'Lucky', 'Modern',
  'Nice', 'Odd', 'Proud', 'Quaint', 'Shy', 'Sleepy', 'Smooth', 'Spicy', 'Tame', 'Tiny', 'Wild', 'Witty',
];
export const SLUG_NOUNS = [
  'Alpaca', 'Badger', 'Bear', 'Cheetah', 'Clam', 'Cod', 'Crow', 'Dolphin', 'Eagle', 'Elk', 'Falcon', 'Ferret',
  'Gazelle', 'Goose', 'Hamster', 'Heron', 'Ibis', 'Koala', 'Lemur', 'Llama', 'Lobster', 'Moose', 'Otter', 'Owl',
  'Panda', 'Pigeon', 'Rabbit', 'Salamander', 'Seal', 'Shrimp', 'Squid', 'Swan', 'Tapir', 'Toad', 'Walrus', 'Yak',
];
export const SLUG_EMOTES = [
  'BibleThump', 'CoolCat', 'DansGame', 'FailFish', 'HeyGuys', 'Jebaited', 'Kappa', 'KappaPride', 'Kreygasm',
  'MingLee', 'NotLikeThis', 'OSFrog', 'PJSalt', 'PogChamp', 'ResidentSleeper', 'SeemsGood', 'SwiftRage',
  'TriHard', 'VoHiYo', 'WutFace', 'BabyRage', 'BloodTrail', 'DatSheffy', 'EleGiggle', 'FrankerZ', 'KomodoHype',
];
export const SLUG_TAIL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** Real names of games that dominate Twitch; the long tail gets made-up names. */
export const TOP_GAMES: ReadonlyArray<readonly [string, string]> = [
  ['509658', 'Just Chatting'],
  ['32982', 'Grand Theft Auto V'],
  ['21779', 'League of Legends'],
  ['516575', 'VALORANT'],
  ['27471', 'Minecraft'],
  ['32399', 'Counter-Strike'],
  ['33214', 'Fortnite'],
  ['511224', 'Apex Legends'],
  ['18122', 'World of Warcraft'],
  ['29595', 'Dota 2'],
  ['512710', 'Call of Duty: Warzone'],
  ['490100', 'Lost Ark'],
  ['26936', 'Music'],
  ['509660', 'Art'],
  ['1469308723', 'Software and Game Development'],
  ['491931', 'Escape from Tarkov'],
  ['493057', 'PUBG: BATTLEGROUNDS'],
  ['513143', 'Teamfight Tactics'],
  ['138585', 'Hearthstone'],
  ['263490', 'Rust'],
];
export const GAME_WORDS_A = [
  'Ancient', 'Broken', 'Crimson', 'Dead', 'Eternal', 'Forgotten', 'Galactic', 'Hollow', 'Iron', 'Last', 'Lost',
  'Neon', 'Night', 'Outer', 'Pixel', 'Rogue', 'Shadow', 'Silent', 'Star', 'Super', 'Tiny', 'Wild',
];
export const GAME_WORDS_B = [
  'Abyss', 'Arena', 'Battle', 'Citadel', 'Colony', 'Dungeon', 'Empire', 'Frontier', 'Garden', 'Harbor', 'Horizon',
  'Kingdom', 'Legends', 'Machines', 'Odyssey', 'Outpost', 'Quest', 'Raiders', 'Saga', 'Tactics', 'Tower', 'Valley',
];
export const GAME_SUFFIXES = ['', '', '', ' II', ' 3', ' Remastered', ': Origins', ' Online', ' Deluxe', ' 2077'];

export const NAME_PARTS_A = [
  'ace', 'bit', 'blue', 'cosmic', 'cozy', 'dark', 'epic', 'frost', 'ghost', 'hyper', 'iron', 'jelly', 'kiwi', 'lazy',
  'lucky', 'mega', 'neo', 'noodle', 'pixel', 'quiet', 'rapid', 'retro', 'salty', 'shadow', 'snack', 'sonic', 'sunny',
  'toxic', 'turbo', 'ultra', 'velvet', 'wavy', 'xeno', 'zen',
];
export const NAME_PARTS_B = [
  'bandit', 'bean', 'byte', 'cat', 'clipper', 'dragon', 'duck', 'fox', 'gamer', 'goblin', 'hawk', 'knight', 'lemon',
  'llama', 'mage', 'monk', 'ninja', 'otter', 'panda', 'pilot', 'queen', 'raccoon', 'rider', 'shark', 'sloth',
  'tiger', 'toast', 'viking', 'waffle', 'wizard', 'yeti', 'zombie',
];

export const TITLE_TEMPLATES = [
  '{b} can NOT believe this',
  'the {x} clutch',
  '{b} rages at chat',
  'chat was right',
  'how did that even happen',
  '1v{n} {x}',
  '{b} vs the {x}',
  'funniest moment of the stream',
  'we do not talk about this',
  'insane {x} play',
  'W {x}',
  'L {x}',
  '{b} forgot the mic was on',
  'pure {x} moment',
  '¡Qué locura! {x}',
  'ヤバい {x}',
  '{b} 😂😂😂',
  'this {x} 💀',
  'new PB!!',
  'speedrun strats be like',
];
export const TITLE_WORDS = [
  'sniper', 'boss', 'jump', 'heist', 'raid', 'pixel', 'donation', 'chat', 'sub goal', 'ranked', 'grenade', 'fall',
  'dance', 'rage', 'comeback', 'glitch', 'cooking', 'horror', 'jumpscare', 'duo', 'tournament', 'lag',
];

export const MESSAGE_TEMPLATES = [
  '{url}',
  '{url}',
  '{url}',
  'LMAO {url}',
  '{url} this is insane',
  'did you guys see this {url}',
  'clip it and ship it {url}',
  '{url} 😂',
  'best moment of the stream so far\n{url}',
  'POG {url}',
  'no way {url}',
  '{url} chat is this real',
  'adding this to the compilation: {url}',
];
export const EDITED_TEMPLATES = ['{url} (edit: wrong clip lol)', 'fixed link: {url}', '{url} this is actually insane', '{url} 💀💀'];
export const UNLINKED_TEMPLATES = ['nvm wrong clip', '(removed)', 'deleted the link, sorry', 'oops'];

export const CHATTER = [
  'gg', 'lol', 'who is streaming tonight?', 'that was a great stream', 'anyone up for some games later',
  'good morning chat', 'LUL', 'when is the next stream?', 'this song slaps', 'brb', 'same', 'true',
  'I cannot believe the ending', 'KEKW', 'hello everyone', 'welcome!', 'is the stream delayed today?',
  'check pins for the schedule', 'o7', 'that boss fight was rough',
];

export const CHANNEL_NAMES = [
  'clips', 'general', 'highlights', 'memes', 'stream-chat', 'off-topic', 'gaming', 'clip-of-the-week', 'lounge',
  'fan-art', 'speedruns', 'late-night',
];
export const THREAD_NAMES = [
  'Clip of the month voting', 'Best fails', 'Ranked grind', 'Tournament highlights', 'Weekly compilation',
  'Subathon moments', 'Horror night', 'Speedrun attempts',
];

/** Unicode reactions and their relative weights in a typical clip channel. */
export const UNICODE_REACTIONS: ReadonlyArray<readonly [string, number]> = [
  ['😂', 20],
  ['🔥', 12],
  ['💀', 10],
  ['😭', 8],
  ['👀', 6],
  ['❤️', 5],
  ['👍', 5],
  ['🤣', 5],
  ['😮', 3],
  ['🐐', 2],
  ['💯', 2],
  ['👏🏽', 1],
];
/** Custom guild emoji (name, animated, weight); their ids are per guild, as on Discord. */
export const CUSTOM_REACTIONS: ReadonlyArray<readonly [string, boolean, number]> = [
  ['KEKW', false, 9],
  ['Pog', false, 5],
  ['OMEGALUL', false, 3],
  ['pepeLaugh', true, 3],
  ['monkaS', false, 2],
  ['Sadge', false, 2],
  ['catJAM', true, 1],
];

export const TIMEZONES = [
  'America/New_York', 'America/Los_Angeles', 'America/Chicago', 'Europe/Berlin', 'Europe/London', 'Europe/Paris',
  'America/Sao_Paulo', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/Madrid',
];
