-- Release 1: the schema of the first release, which GORM's AutoMigrate built from the models of commit 196a9be.
-- A release-1 database without schema_migrations is recorded as being at this version.

CREATE TABLE `estate_staffs` (`estate_id` varchar(36),`user_id` varchar(36),`role` varchar(16) NOT NULL,`created_at` datetime,PRIMARY KEY (`estate_id`,`user_id`));

CREATE INDEX `ix_estate_staff_user` ON `estate_staffs`(`user_id`);

CREATE TABLE `estates` (`id` varchar(36),`code` varchar(32) NOT NULL,`name` varchar(100) NOT NULL,`district` varchar(100) NOT NULL DEFAULT "",`street` varchar(100) NOT NULL DEFAULT "",`community` varchar(100) NOT NULL DEFAULT "",`address` varchar(255) NOT NULL DEFAULT "",`contact_phone` varchar(32) NOT NULL DEFAULT "",`built_year` integer,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_estates_code` ON `estates`(`code`);

CREATE TABLE `households` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`building` varchar(32) NOT NULL,`unit` varchar(32) NOT NULL,`room` varchar(32) NOT NULL,`area_hundredths` integer NOT NULL,`owner_name` varchar(100) NOT NULL DEFAULT "",`phone` varchar(32) NOT NULL DEFAULT "",`occupancy` varchar(16) NOT NULL DEFAULT "owner",`eligible` numeric NOT NULL DEFAULT true,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_households_address` ON `households`(`estate_id`,`building`,`unit`,`room`);

CREATE TABLE `idempotency_records` (`caller` varchar(64),`key` varchar(128),`request_hash` varchar(64) NOT NULL,`status` integer NOT NULL,`content_type` varchar(100) NOT NULL DEFAULT "",`body` mediumblob,`created_at` datetime,PRIMARY KEY (`caller`,`key`));

CREATE INDEX `ix_idempotency_created` ON `idempotency_records`(`created_at`);

CREATE TABLE `refresh_tokens` (`id` varchar(36),`token_hash` varchar(64) NOT NULL,`family_id` varchar(36) NOT NULL,`subject_kind` varchar(16) NOT NULL,`subject_id` varchar(36) NOT NULL,`expires_at` datetime,`used_at` datetime,`revoked_at` datetime,`created_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_refresh_tokens_family` ON `refresh_tokens`(`family_id`);

CREATE UNIQUE INDEX `ux_refresh_tokens_hash` ON `refresh_tokens`(`token_hash`);

CREATE TABLE `round_members` (`round_id` varchar(36),`household_id` varchar(36),`building` varchar(32) NOT NULL,`unit` varchar(32) NOT NULL,`area_hundredths` integer NOT NULL,PRIMARY KEY (`round_id`,`household_id`));

CREATE INDEX `ix_round_members_area` ON `round_members`(`round_id`,`area_hundredths`);

CREATE TABLE `rounds` (`id` varchar(36),`estate_id` varchar(36) NOT NULL,`seq` integer NOT NULL,`title` varchar(200) NOT NULL,`kind` varchar(16) NOT NULL,`revision_id` varchar(36),`rule_json` text NOT NULL,`scope_building` varchar(32) NOT NULL DEFAULT "",`scope_unit` varchar(32) NOT NULL DEFAULT "",`status` varchar(16) NOT NULL,`opened_at` datetime,`closes_at` datetime,`closed_at` datetime,`electorate_households` integer NOT NULL DEFAULT 0,`electorate_area` integer NOT NULL DEFAULT 0,`result_json` mediumtext,`created_by` varchar(36) NOT NULL DEFAULT "",`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_rounds_estate_seq` ON `rounds`(`estate_id`,`seq`);

CREATE TABLE `sign_off_events` (`id` varchar(36),`round_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`version` integer NOT NULL,`old_decision` varchar(16) NOT NULL,`new_decision` varchar(16) NOT NULL,`channel` varchar(16) NOT NULL,`signer_name` varchar(100) NOT NULL DEFAULT "",`comment` text,`actor_kind` varchar(16) NOT NULL,`actor_id` varchar(36) NOT NULL,`actor_role` varchar(16) NOT NULL,`request_id` varchar(64) NOT NULL DEFAULT "",`recorded_at` datetime,PRIMARY KEY (`id`));

CREATE INDEX `ix_signoff_events_household` ON `sign_off_events`(`round_id`,`household_id`);

CREATE TABLE `sign_offs` (`id` varchar(36),`round_id` varchar(36) NOT NULL,`household_id` varchar(36) NOT NULL,`building` varchar(32) NOT NULL,`decision` varchar(16) NOT NULL,`channel` varchar(16) NOT NULL,`signer_name` varchar(100) NOT NULL DEFAULT "",`evidence_url` varchar(500) NOT NULL DEFAULT "",`comment` text,`version` integer NOT NULL,`actor_kind` varchar(16) NOT NULL,`actor_id` varchar(36) NOT NULL,`recorded_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_round_household` ON `sign_offs`(`round_id`,`household_id`);

CREATE TABLE `tally_counters` (`round_id` varchar(36),`building` varchar(32),`decision` varchar(16),`households` integer NOT NULL DEFAULT 0,`area_hundredths` integer NOT NULL DEFAULT 0,PRIMARY KEY (`round_id`,`building`,`decision`));

CREATE TABLE `users` (`id` varchar(36),`username` varchar(64) NOT NULL,`password_hash` varchar(100) NOT NULL,`display_name` varchar(100) NOT NULL,`role` varchar(16) NOT NULL,`disabled` numeric NOT NULL DEFAULT false,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));

CREATE UNIQUE INDEX `ux_users_username` ON `users`(`username`);
