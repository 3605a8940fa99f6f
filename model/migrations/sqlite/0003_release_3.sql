-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

ALTER TABLE `binding_failures` ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT "";

ALTER TABLE `binding_failures` ADD COLUMN `code_hash` varchar(64) NOT NULL DEFAULT "";

CREATE INDEX `ix_binding_failures_address` ON `binding_failures`(`address_hash`,`attempted_at`);

CREATE INDEX `ix_binding_failures_code` ON `binding_failures`(`code_hash`,`attempted_at`);
