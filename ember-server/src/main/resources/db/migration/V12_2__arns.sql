-- ARNs in AWS's form (docs/api.md, "ARNs"): a colon after the resource type, and no region in the store: the server's
-- --region is put in when an ARN is answered, so a data directory keeps its meaning under another region. Earlier
-- versions kept arn:aws:lambda:local:<account>:microvm/<id> and ...:microvm-image/<name>; connectors (already with a
-- colon) ...:local:... Names and ids hold no '/' or ':', so these replacements touch only the ARNs' own separators.
UPDATE microvms SET
    arn = replace(replace(arn, 'arn:aws:lambda:local:', 'arn:aws:lambda::'), ':microvm/', ':microvm:'),
    image_arn = replace(replace(image_arn, 'arn:aws:lambda:local:', 'arn:aws:lambda::'), ':microvm-image/', ':microvm-image:'),
    ingress_connectors = replace(ingress_connectors, 'arn:aws:lambda:local:', 'arn:aws:lambda::'),
    egress_connectors = replace(egress_connectors, 'arn:aws:lambda:local:', 'arn:aws:lambda::');

UPDATE images SET arn = replace(replace(arn, 'arn:aws:lambda:local:', 'arn:aws:lambda::'), ':microvm-image/', ':microvm-image:');

-- A version's stored request: its baseImageArn (written by the server) and egressNetworkConnectors (as given).
UPDATE image_versions SET
    spec = replace(replace(spec, 'arn:aws:lambda:local:', 'arn:aws:lambda::'), ':microvm-image/', ':microvm-image:');
