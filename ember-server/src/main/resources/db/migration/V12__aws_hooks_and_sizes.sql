-- Hooks and sizes as AWS Lambda MicroVMs has them (docs/hooks.md "Contract versions", docs/images.md "Sizes").
-- The hook contract an image version was made under: 'aws' = AWS's paths (/aws/lambda-microvms/runtime/v1/<hook>) and
-- defaults; NULL = Ember's first contract (/<hook>), which every version stored before this migration keeps until rebuilt.
ALTER TABLE image_versions ADD COLUMN hooks_contract TEXT;
-- The version's size (io.ember.image.SizeClass), by its minimumMemoryInMiB; NULL: sized before sizes existed (its
-- vcpus and memory_mib are what its microVMs get and are billed for).
ALTER TABLE image_versions ADD COLUMN size_mib INTEGER;
-- The size a microVM was launched with (NULL: none, billed for all its vcpus and memory_mib).
ALTER TABLE microvms ADD COLUMN size_mib INTEGER;
-- Thousandths of a vCPU an interval bills (a size's baseline: 250 for 0.25 vCPU); NULL: vcpus * 1000.
ALTER TABLE usage ADD COLUMN vcpu_millis INTEGER;
