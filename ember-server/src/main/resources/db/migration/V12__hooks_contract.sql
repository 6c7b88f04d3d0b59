-- The hook contract an image version was made under (docs/hooks.md, "Contract versions"): 'aws' = AWS's paths
-- (/aws/lambda-microvms/runtime/v1/<hook>) and defaults; NULL = Ember's first contract (/<hook>), which every version
-- stored before this migration keeps until it is rebuilt.
ALTER TABLE image_versions ADD COLUMN hooks_contract TEXT;
