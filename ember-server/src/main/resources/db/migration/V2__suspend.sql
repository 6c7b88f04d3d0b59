-- What a microVM was launched from, so that a resume or a restart finds it again, and when it was suspended
-- (suspendedDurationSeconds counts from there, across server restarts).
ALTER TABLE microvms ADD COLUMN rootfs TEXT;        -- the raw base disk its overlay was made over
ALTER TABLE microvms ADD COLUMN template TEXT;      -- the image snapshot it was cloned from; NULL: booted cold
ALTER TABLE microvms ADD COLUMN environment TEXT;   -- JSON object: the image's environment for processes Ember starts
ALTER TABLE microvms ADD COLUMN suspended_at INTEGER;
