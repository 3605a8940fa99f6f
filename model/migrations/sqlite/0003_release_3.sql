-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `household_signers` (`household_id` varchar(36),`resident_id` varchar(36) NOT NULL,`set_by` varchar(36) NOT NULL DEFAULT "",`set_at` datetime,PRIMARY KEY (`household_id`));

CREATE INDEX `ix_household_signers_resident` ON `household_signers`(`resident_id`);

CREATE TABLE `notifications` (`id` varchar(36),`kind` varchar(32) NOT NULL,`resident_id` varchar(36) NOT NULL,`estate_id` varchar(36) NOT NULL DEFAULT "",`subject_kind` varchar(16) NOT NULL DEFAULT "",`subject_id` varchar(36) NOT NULL DEFAULT "",`dedupe_key` varchar(160) NOT NULL,`data` text,`status` varchar(16) NOT NULL,`attempts` integer NOT NULL DEFAULT 0,`next_attempt_at` datetime,`claimed_at` datetime,`sent_at` datetime,`last_error` varchar(200) NOT NULL DEFAULT "",`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_notifications_resident` ON `notifications`(`resident_id`);

CREATE INDEX `ix_notifications_status_next` ON `notifications`(`status`,`next_attempt_at`);

CREATE UNIQUE INDEX `ux_notifications_dedupe` ON `notifications`(`dedupe_key`);

ALTER TABLE `resident_bindings` ADD COLUMN `relation` varchar(16) NOT NULL DEFAULT "owner";

CREATE TABLE `resident_subscriptions` (`resident_id` varchar(36),`kind` varchar(32),`remaining` integer NOT NULL DEFAULT 0,`updated_at` datetime,PRIMARY KEY (`resident_id`,`kind`));

CREATE TABLE `round_reminders` (`round_id` varchar(36),`enqueued_at` datetime,PRIMARY KEY (`round_id`));

ALTER TABLE `sign_offs` ADD COLUMN `principal_name` varchar(100) NOT NULL DEFAULT "";

ALTER TABLE `sign_offs` ADD COLUMN `evidence_upload_id` varchar(36) NOT NULL DEFAULT "";
