-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `acceptance_items` (`id` varchar(36),`acceptance_id` varchar(36) NOT NULL,`position` integer NOT NULL,`name` varchar(100) NOT NULL,`result` varchar(16) NOT NULL,`note` varchar(500) NOT NULL DEFAULT "",`rectified_at` datetime,`rectified_by` varchar(36) NOT NULL DEFAULT "",`rectify_note` varchar(500) NOT NULL DEFAULT "",PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_acceptance_items_position` ON `acceptance_items`(`acceptance_id`,`position`);

CREATE TABLE `acceptance_signatures` (`acceptance_id` varchar(36),`position` integer,`name` varchar(100) NOT NULL,`role` varchar(32) NOT NULL,PRIMARY KEY (`acceptance_id`,`position`));

CREATE TABLE `acceptances` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`status` varchar(16) NOT NULL,`created_by` varchar(36) NOT NULL,`created_at` datetime,`closed_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_acceptances_estate` ON `acceptances`(`estate_id`);

ALTER TABLE `binding_failures` ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT "";

ALTER TABLE `binding_failures` ADD COLUMN `code_hash` varchar(64) NOT NULL DEFAULT "";

CREATE INDEX `ix_binding_failures_address` ON `binding_failures`(`address_hash`,`attempted_at`);

CREATE INDEX `ix_binding_failures_code` ON `binding_failures`(`code_hash`,`attempted_at`);

CREATE TABLE `estate_preconditions` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`precondition_key` varchar(32) NOT NULL,`met` numeric NOT NULL,`note` varchar(500) NOT NULL DEFAULT "",`updated_by` varchar(36) NOT NULL DEFAULT "",`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_estate_preconditions_key` ON `estate_preconditions`(`estate_id`,`precondition_key`);

CREATE TABLE `estate_sites` (`estate_id` varchar(36),`builder` varchar(100) NOT NULL DEFAULT "",`supervising_unit` varchar(100) NOT NULL DEFAULT "",`designer_unit` varchar(100) NOT NULL DEFAULT "",`starts_on` varchar(10) NOT NULL DEFAULT "",`ends_on` varchar(10) NOT NULL DEFAULT "",`budget_fen` integer NOT NULL DEFAULT 0,`contact_phone` varchar(32) NOT NULL DEFAULT "",`updated_by` varchar(36) NOT NULL DEFAULT "",`updated_at` datetime,PRIMARY KEY (`estate_id`));

CREATE TABLE `estate_stages` (`estate_id` varchar(36),`stage` varchar(16),`status` varchar(16) NOT NULL,`started_at` datetime,`finished_at` datetime,`note` varchar(500) NOT NULL DEFAULT "",`forced` numeric NOT NULL DEFAULT false,`updated_by` varchar(36) NOT NULL DEFAULT "",`updated_at` datetime,PRIMARY KEY (`estate_id`,`stage`));

CREATE TABLE `household_signers` (`household_id` varchar(36),`resident_id` varchar(36) NOT NULL,`set_by` varchar(36) NOT NULL DEFAULT "",`set_at` datetime,PRIMARY KEY (`household_id`));

CREATE INDEX `ix_household_signers_resident` ON `household_signers`(`resident_id`);

CREATE TABLE `login_addresses` (`pair_hash` varchar(64),`last_success_at` datetime NOT NULL,PRIMARY KEY (`pair_hash`));

CREATE INDEX `ix_login_addresses_last` ON `login_addresses`(`last_success_at`);

ALTER TABLE `login_failures` ADD COLUMN `account_hash` varchar(64) NOT NULL DEFAULT "";

ALTER TABLE `login_failures` ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT "";

CREATE INDEX `ix_login_failures_account` ON `login_failures`(`account_hash`,`failed_at`);

CREATE INDEX `ix_login_failures_address` ON `login_failures`(`address_hash`,`failed_at`);

CREATE TABLE `notice_snapshots` (`round_id` varchar(36),`taken_at` datetime NOT NULL,`households` integer NOT NULL DEFAULT 0,`tally_json` mediumtext NOT NULL,PRIMARY KEY (`round_id`));

CREATE TABLE `notifications` (`id` varchar(36),`kind` varchar(32) NOT NULL,`resident_id` varchar(36) NOT NULL,`estate_id` varchar(36) NOT NULL DEFAULT "",`subject_kind` varchar(16) NOT NULL DEFAULT "",`subject_id` varchar(36) NOT NULL DEFAULT "",`dedupe_key` varchar(160) NOT NULL,`data` text,`status` varchar(16) NOT NULL,`attempts` integer NOT NULL DEFAULT 0,`next_attempt_at` datetime,`claimed_at` datetime,`sent_at` datetime,`last_error` varchar(200) NOT NULL DEFAULT "",`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_notifications_resident` ON `notifications`(`resident_id`);

CREATE INDEX `ix_notifications_status_next` ON `notifications`(`status`,`next_attempt_at`);

CREATE UNIQUE INDEX `ux_notifications_dedupe` ON `notifications`(`dedupe_key`);

ALTER TABLE `objection_events` ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT "";

ALTER TABLE `objections` ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT "";

ALTER TABLE `objections` ADD COLUMN `handler_id` varchar(36) NOT NULL DEFAULT "";

ALTER TABLE `objections` ADD COLUMN `due_at` datetime;

ALTER TABLE `objections` ADD COLUMN `confirmation_satisfied` numeric;

ALTER TABLE `objections` ADD COLUMN `confirmation_note` text;

ALTER TABLE `objections` ADD COLUMN `confirmed_at` datetime;

CREATE INDEX `ix_objections_handler` ON `objections`(`handler_id`);

CREATE TABLE `problem_reports` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`status` varchar(16) NOT NULL,`reporter_id` varchar(36) NOT NULL,`text` varchar(1000) NOT NULL,`location` varchar(200) NOT NULL,`assignee_id` varchar(36),`staff_note` varchar(500) NOT NULL DEFAULT "",`fixed_at` datetime,`satisfied` numeric,`confirm_note` varchar(500) NOT NULL DEFAULT "",`confirmed_at` datetime,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_problem_reports_estate_status` ON `problem_reports`(`estate_id`,`status`);

CREATE INDEX `ix_problem_reports_reporter` ON `problem_reports`(`reporter_id`);

ALTER TABLE `resident_bindings` ADD COLUMN `relation` varchar(16) NOT NULL DEFAULT "owner";

CREATE TABLE `resident_subscriptions` (`resident_id` varchar(36),`kind` varchar(32),`remaining` integer NOT NULL DEFAULT 0,`updated_at` datetime,PRIMARY KEY (`resident_id`,`kind`));

ALTER TABLE `residents` ADD COLUMN `tokens_valid_after` datetime;

CREATE TABLE `result_objections` (`id` varchar(36),`round_id` varchar(36) NOT NULL,`estate_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`text` text NOT NULL,`filed_by_kind` varchar(16) NOT NULL,`filed_by_id` varchar(36) NOT NULL,`created_at` datetime,`outcome` varchar(16) NOT NULL DEFAULT "",`explanation` text,`resolved_by` varchar(36) NOT NULL DEFAULT "",`resolved_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_result_objections_round` ON `result_objections`(`round_id`,`created_at`);

CREATE TABLE `round_reminders` (`round_id` varchar(36),`enqueued_at` datetime,PRIMARY KEY (`round_id`));

ALTER TABLE `rounds` ADD COLUMN `electorate_basis` varchar(16) NOT NULL DEFAULT "eligible";

ALTER TABLE `rounds` ADD COLUMN `late_sync_hours` integer NOT NULL DEFAULT 24;

ALTER TABLE `rounds` ADD COLUMN `notice_days` integer NOT NULL DEFAULT 7;

ALTER TABLE `rounds` ADD COLUMN `close_reason` varchar(500) NOT NULL DEFAULT "";

ALTER TABLE `rounds` ADD COLUMN `notice_ends_at` datetime;

ALTER TABLE `rounds` ADD COLUMN `finalized_at` datetime;

CREATE INDEX `ix_rounds_status_notice` ON `rounds`(`status`,`notice_ends_at`);

ALTER TABLE `sign_offs` ADD COLUMN `principal_name` varchar(100) NOT NULL DEFAULT "";

ALTER TABLE `sign_offs` ADD COLUMN `evidence_upload_id` varchar(36) NOT NULL DEFAULT "";

CREATE TABLE `survey_responses` (`id` varchar(36),`survey_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`estate_id` varchar(36) NOT NULL,`answers` text NOT NULL,`channel` varchar(16) NOT NULL,`recorded_by_kind` varchar(16) NOT NULL,`recorded_by_id` varchar(36) NOT NULL,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_survey_household` ON `survey_responses`(`survey_id`,`household_id`);

CREATE TABLE `surveys` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`title` varchar(200) NOT NULL,`purpose` varchar(16) NOT NULL,`template` varchar(32) NOT NULL DEFAULT "",`questions` text NOT NULL,`status` varchar(16) NOT NULL,`closes_at` datetime,`opened_at` datetime,`closed_at` datetime,`created_by` varchar(36) NOT NULL,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_surveys_estate` ON `surveys`(`estate_id`,`id`);

ALTER TABLE `users` ADD COLUMN `tokens_valid_after` datetime;
