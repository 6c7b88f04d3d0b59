-- TagResource/UntagResource/ListTags (docs/api.md). A microVM's tags, as a JSON object {"key":"value"}; NULL: none.
-- Built images keep theirs in images.tags (V3), which CreateMicrovmImage fills and the tag operations change.
ALTER TABLE microvms ADD COLUMN tags TEXT;
