-- TagResource on secrets and roles, as on microVMs (V5) and images: a JSON object, NULL when none.
ALTER TABLE secrets ADD COLUMN tags TEXT;
ALTER TABLE roles ADD COLUMN tags TEXT;
