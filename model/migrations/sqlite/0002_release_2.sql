-- Release 2: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

ALTER TABLE `estate_staffs` RENAME TO `estate_staff`;

CREATE TABLE `audit_chains` (`chain_id` varchar(48),`estate_id` varchar(36) NOT NULL,`seq` integer NOT NULL,`prev_hash` varchar(64) NOT NULL,`head_hash` varchar(64) NOT NULL,PRIMARY KEY (`chain_id`));

CREATE INDEX `ix_audit_chains_estate` ON `audit_chains`(`estate_id`);

CREATE TABLE `audit_events` (`id` varchar(36),`chain_id` varchar(48) NOT NULL,`seq` integer NOT NULL,`estate_id` varchar(36) NOT NULL,`actor_kind` varchar(16) NOT NULL,`actor_id` varchar(64) NOT NULL,`actor_role` varchar(16) NOT NULL,`channel` varchar(16) NOT NULL,`action` varchar(48) NOT NULL,`object_type` varchar(32) NOT NULL,`object_id` varchar(64) NOT NULL,`before_summary` text,`after_summary` text,`request_id` varchar(64) NOT NULL,`occurred_at` datetime NOT NULL,`prev_hash` varchar(64) NOT NULL,`hash` varchar(64) NOT NULL,PRIMARY KEY (`id`));

CREATE INDEX `ix_audit_events_estate` ON `audit_events`(`estate_id`,`id`);

CREATE UNIQUE INDEX `ux_audit_events_chain_seq` ON `audit_events`(`chain_id`,`seq`);

CREATE TABLE `binding_codes` (`id` varchar(36),`code_hash` varchar(64) NOT NULL,`estate_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`expires_at` datetime,`used_at` datetime,`used_by` varchar(36) NOT NULL DEFAULT "",`created_by` varchar(36) NOT NULL,`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_binding_codes_household` ON `binding_codes`(`household_id`);

CREATE UNIQUE INDEX `ux_binding_codes_hash` ON `binding_codes`(`code_hash`);

CREATE TABLE `binding_failures` (`id` varchar(36),`resident_id` varchar(36) NOT NULL,`attempted_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_binding_failures_resident` ON `binding_failures`(`resident_id`,`attempted_at`);

DROP INDEX `ix_estate_staff_user`;

CREATE INDEX `ix_estate_staff_user` ON `estate_staff`(`user_id`);

CREATE TABLE `households__new` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`building` varchar(32) NOT NULL,`unit` varchar(32) NOT NULL,`room` varchar(32) NOT NULL,`area_hundredths` integer NOT NULL,`owner_name` varchar(100) NOT NULL DEFAULT "",`phone` varchar(128) NOT NULL DEFAULT "",`phone_hash` varchar(64) NOT NULL DEFAULT "",`occupancy` varchar(16) NOT NULL DEFAULT "owner",`eligible` numeric NOT NULL,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

INSERT INTO `households__new` (`id`, `estate_id`, `building`, `unit`, `room`, `area_hundredths`, `owner_name`, `phone`, `occupancy`, `eligible`, `created_at`, `updated_at`) SELECT `id`, `estate_id`, `building`, `unit`, `room`, `area_hundredths`, `owner_name`, `phone`, `occupancy`, `eligible`, `created_at`, `updated_at` FROM `households`;

DROP TABLE `households`;

ALTER TABLE `households__new` RENAME TO `households`;

CREATE INDEX `ix_households_phone_hash` ON `households`(`phone_hash`);

CREATE UNIQUE INDEX `ux_households_address` ON `households`(`estate_id`,`building`,`unit`,`room`);

CREATE TABLE `login_failures` (`id` varchar(36),`pair_hash` varchar(64) NOT NULL,`failed_at` datetime NOT NULL,PRIMARY KEY (`id`));

CREATE INDEX `ix_login_failures_pair` ON `login_failures`(`pair_hash`,`failed_at`);

CREATE TABLE `moderation_items` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`status` varchar(16) NOT NULL,`subject_kind` varchar(32) NOT NULL,`subject_id` varchar(36) NOT NULL,`subject_version` integer NOT NULL DEFAULT 0,`text` text NOT NULL,`reason` varchar(64) NOT NULL DEFAULT "",`trace_id` varchar(64) NOT NULL DEFAULT "",`author_kind` varchar(16) NOT NULL,`author_id` varchar(36) NOT NULL,`reviewed_by` varchar(36) NOT NULL DEFAULT "",`reviewed_at` datetime,`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_moderation_estate_status` ON `moderation_items`(`estate_id`,`status`);

CREATE UNIQUE INDEX `ux_moderation_subject` ON `moderation_items`(`subject_kind`,`subject_id`,`subject_version`);

CREATE TABLE `objection_events` (`id` varchar(36),`objection_id` varchar(36) NOT NULL,`kind` varchar(16) NOT NULL,`status` varchar(16) NOT NULL,`outcome` varchar(24) NOT NULL DEFAULT "",`explanation` text,`revision_id` varchar(36),`satisfied` numeric,`note` text,`actor_kind` varchar(16) NOT NULL,`actor_id` varchar(36) NOT NULL,`actor_role` varchar(16) NOT NULL,`channel` varchar(16) NOT NULL DEFAULT "",`request_id` varchar(64) NOT NULL DEFAULT "",`recorded_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_objection_events_objection` ON `objection_events`(`objection_id`);

CREATE TABLE `objections` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`status` varchar(16) NOT NULL,`round_id` varchar(36),`household_id` varchar(36),`category` varchar(32) NOT NULL,`plan_item` varchar(100) NOT NULL DEFAULT "",`content` text NOT NULL,`moderation` varchar(16) NOT NULL DEFAULT "published",`channel` varchar(16) NOT NULL,`filed_by_kind` varchar(16) NOT NULL,`filed_by_id` varchar(36) NOT NULL,`filed_by_role` varchar(16) NOT NULL,`outcome` varchar(24) NOT NULL DEFAULT "",`explanation` text,`revision_id` varchar(36),`answer_version` integer NOT NULL DEFAULT 0,`answered_by` varchar(36) NOT NULL DEFAULT "",`answered_at` datetime,`follow_up_satisfied` numeric,`follow_up_note` text,`closed_by` varchar(36) NOT NULL DEFAULT "",`closed_at` datetime,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_objections_estate_status` ON `objections`(`estate_id`,`status`);

CREATE INDEX `ix_objections_filed_by` ON `objections`(`filed_by_id`);

CREATE INDEX `ix_objections_household` ON `objections`(`household_id`);

CREATE INDEX `ix_objections_revision` ON `objections`(`revision_id`);

CREATE INDEX `ix_objections_round` ON `objections`(`round_id`);

CREATE TABLE `resident_bindings` (`id` varchar(36),`resident_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`estate_id` varchar(36) NOT NULL,`binding_code_id` varchar(36) NOT NULL DEFAULT "",`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_resident_bindings_estate` ON `resident_bindings`(`resident_id`,`estate_id`);

CREATE INDEX `ix_resident_bindings_household` ON `resident_bindings`(`household_id`);

CREATE UNIQUE INDEX `ux_resident_household` ON `resident_bindings`(`resident_id`,`household_id`);

CREATE TABLE `residents` (`id` varchar(36),`open_id` varchar(64) NOT NULL,`union_id` varchar(64) NOT NULL DEFAULT "",`phone` varchar(128) NOT NULL DEFAULT "",`phone_hash` varchar(64) NOT NULL DEFAULT "",`disabled` numeric NOT NULL DEFAULT false,`last_login_at` datetime,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_residents_phone_hash` ON `residents`(`phone_hash`);

CREATE INDEX `ix_residents_unionid` ON `residents`(`union_id`);

CREATE UNIQUE INDEX `ux_residents_openid` ON `residents`(`open_id`);

CREATE TABLE `revision_objections` (`revision_id` varchar(36),`objection_id` varchar(36),PRIMARY KEY (`revision_id`,`objection_id`));

CREATE INDEX `ix_revision_objections_objection` ON `revision_objections`(`objection_id`);

CREATE TABLE `revisions` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`version` integer NOT NULL,`title` varchar(200) NOT NULL,`summary` text,`changes` mediumtext,`published_by` varchar(36) NOT NULL DEFAULT "",`published_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_revisions_estate_version` ON `revisions`(`estate_id`,`version`);

CREATE TABLE `round_open_overrides` (`round_id` varchar(36),`forced_by` varchar(36) NOT NULL,`forced_role` varchar(16) NOT NULL,`request_id` varchar(64) NOT NULL DEFAULT "",`unanswered_ids` text,`forced_at` datetime,PRIMARY KEY (`round_id`));

CREATE TABLE `sync_records` (`caller` varchar(64),`client_id` varchar(36),`round_id` varchar(36) NOT NULL DEFAULT "",`household_id` varchar(36) NOT NULL DEFAULT "",`type` varchar(16) NOT NULL,`device_recorded_at` datetime,`request_id` varchar(64) NOT NULL DEFAULT "",`result_json` text NOT NULL,`created_at` datetime,PRIMARY KEY (`caller`,`client_id`));

CREATE TABLE `uploads` (`id` varchar(36),`stored_name` varchar(80) NOT NULL,`content_type` varchar(64) NOT NULL,`size_bytes` integer NOT NULL,`sha256` varchar(64) NOT NULL,`uploader_kind` varchar(16) NOT NULL,`uploader_id` varchar(36) NOT NULL,`estate_id` varchar(36),`owner_kind` varchar(16) NOT NULL DEFAULT "",`owner_id` varchar(36) NOT NULL DEFAULT "",`position` integer NOT NULL DEFAULT 0,`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_uploads_estate` ON `uploads`(`estate_id`);

CREATE INDEX `ix_uploads_owner` ON `uploads`(`owner_kind`,`owner_id`);

CREATE INDEX `ix_uploads_uploader` ON `uploads`(`uploader_id`);

CREATE UNIQUE INDEX `ux_uploads_stored_name` ON `uploads`(`stored_name`);

CREATE TABLE `visits` (`id` varchar(36),`round_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`outcome` varchar(16) NOT NULL,`note` text,`channel` varchar(16) NOT NULL,`actor_kind` varchar(16) NOT NULL,`actor_id` varchar(36) NOT NULL,`request_id` varchar(64) NOT NULL DEFAULT "",`visited_at` datetime,`recorded_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_visits_round_household` ON `visits`(`round_id`,`household_id`);
