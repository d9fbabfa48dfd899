-- Voice enrollment prompts per person, and voice certification sessions (prompt + challenge).
CREATE TABLE voice_prompts (holder_id TEXT PRIMARY KEY, prompts_json TEXT NOT NULL);
CREATE TABLE voice_sessions (challenge_id TEXT PRIMARY KEY, operator TEXT NOT NULL, subject TEXT NOT NULL, challenge_json TEXT NOT NULL, prompt TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
