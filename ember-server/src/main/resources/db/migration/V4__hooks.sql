-- A microVM's lifecycle hooks (docs/hooks.md), so that a resume or a restart still calls them.
ALTER TABLE microvms ADD COLUMN hooks TEXT;            -- JSON {"port":8080,"run":10,...}: timeouts (s) of the ENABLED hooks; NULL: none
ALTER TABLE microvms ADD COLUMN run_hook_payload TEXT; -- RunMicrovm's runHookPayload until the run hook was called, then NULL
