-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `acceptance_items` (
  `id` varchar(36) NOT NULL,
  `acceptance_id` varchar(36) NOT NULL,
  `position` bigint(20) NOT NULL,
  `name` varchar(100) NOT NULL,
  `result` varchar(16) NOT NULL,
  `note` varchar(500) NOT NULL DEFAULT '',
  `rectified_at` datetime(3) DEFAULT NULL,
  `rectified_by` varchar(36) NOT NULL DEFAULT '',
  `rectify_note` varchar(500) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_acceptance_items_position` (`acceptance_id`,`position`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `acceptance_signatures` (
  `acceptance_id` varchar(36) NOT NULL,
  `position` bigint(20) NOT NULL,
  `name` varchar(100) NOT NULL,
  `role` varchar(32) NOT NULL,
  PRIMARY KEY (`acceptance_id`,`position`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `acceptances` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `status` varchar(16) NOT NULL,
  `created_by` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_acceptances_estate` (`estate_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `binding_failures`
  ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT '',
  ADD COLUMN `code_hash` varchar(64) NOT NULL DEFAULT '',
  ADD KEY `ix_binding_failures_address` (`address_hash`,`attempted_at`),
  ADD KEY `ix_binding_failures_code` (`code_hash`,`attempted_at`);

CREATE TABLE `estate_preconditions` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `precondition_key` varchar(32) NOT NULL,
  `met` tinyint(1) NOT NULL,
  `note` varchar(500) NOT NULL DEFAULT '',
  `updated_by` varchar(36) NOT NULL DEFAULT '',
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_estate_preconditions_key` (`estate_id`,`precondition_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `estate_sites` (
  `estate_id` varchar(36) NOT NULL,
  `builder` varchar(100) NOT NULL DEFAULT '',
  `supervising_unit` varchar(100) NOT NULL DEFAULT '',
  `designer_unit` varchar(100) NOT NULL DEFAULT '',
  `starts_on` varchar(10) NOT NULL DEFAULT '',
  `ends_on` varchar(10) NOT NULL DEFAULT '',
  `budget_fen` bigint(20) NOT NULL DEFAULT 0,
  `contact_phone` varchar(32) NOT NULL DEFAULT '',
  `updated_by` varchar(36) NOT NULL DEFAULT '',
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`estate_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `estate_stages` (
  `estate_id` varchar(36) NOT NULL,
  `stage` varchar(16) NOT NULL,
  `status` varchar(16) NOT NULL,
  `started_at` datetime(3) DEFAULT NULL,
  `finished_at` datetime(3) DEFAULT NULL,
  `note` varchar(500) NOT NULL DEFAULT '',
  `forced` tinyint(1) NOT NULL DEFAULT 0,
  `updated_by` varchar(36) NOT NULL DEFAULT '',
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`estate_id`,`stage`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `household_signers` (
  `household_id` varchar(36) NOT NULL,
  `resident_id` varchar(36) NOT NULL,
  `set_by` varchar(36) NOT NULL DEFAULT '',
  `set_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`household_id`),
  KEY `ix_household_signers_resident` (`resident_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `login_addresses` (
  `pair_hash` varchar(64) NOT NULL,
  `last_success_at` datetime(3) NOT NULL,
  PRIMARY KEY (`pair_hash`),
  KEY `ix_login_addresses_last` (`last_success_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `login_failures`
  ADD COLUMN `account_hash` varchar(64) NOT NULL DEFAULT '',
  ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT '',
  ADD KEY `ix_login_failures_account` (`account_hash`,`failed_at`),
  ADD KEY `ix_login_failures_address` (`address_hash`,`failed_at`);

CREATE TABLE `notice_snapshots` (
  `round_id` varchar(36) NOT NULL,
  `taken_at` datetime(3) NOT NULL,
  `households` bigint(20) NOT NULL DEFAULT 0,
  `tally_json` mediumtext NOT NULL,
  PRIMARY KEY (`round_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notifications` (
  `id` varchar(36) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `resident_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL DEFAULT '',
  `subject_kind` varchar(16) NOT NULL DEFAULT '',
  `subject_id` varchar(36) NOT NULL DEFAULT '',
  `dedupe_key` varchar(160) NOT NULL,
  `data` text DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `attempts` bigint(20) NOT NULL DEFAULT 0,
  `next_attempt_at` datetime(3) DEFAULT NULL,
  `claimed_at` datetime(3) DEFAULT NULL,
  `sent_at` datetime(3) DEFAULT NULL,
  `last_error` varchar(200) NOT NULL DEFAULT '',
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_notifications_dedupe` (`dedupe_key`),
  KEY `ix_notifications_resident` (`resident_id`),
  KEY `ix_notifications_status_next` (`status`,`next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `objection_events`
  ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT '';

ALTER TABLE `objections`
  ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT '',
  ADD COLUMN `handler_id` varchar(36) NOT NULL DEFAULT '',
  ADD COLUMN `due_at` datetime(3) DEFAULT NULL,
  ADD COLUMN `confirmation_satisfied` tinyint(1) DEFAULT NULL,
  ADD COLUMN `confirmation_note` text DEFAULT NULL,
  ADD COLUMN `confirmed_at` datetime(3) DEFAULT NULL,
  ADD KEY `ix_objections_handler` (`handler_id`);

CREATE TABLE `problem_reports` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `status` varchar(16) NOT NULL,
  `reporter_id` varchar(36) NOT NULL,
  `text` varchar(1000) NOT NULL,
  `location` varchar(200) NOT NULL,
  `assignee_id` varchar(36) DEFAULT NULL,
  `staff_note` varchar(500) NOT NULL DEFAULT '',
  `fixed_at` datetime(3) DEFAULT NULL,
  `satisfied` tinyint(1) DEFAULT NULL,
  `confirm_note` varchar(500) NOT NULL DEFAULT '',
  `confirmed_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_problem_reports_estate_status` (`estate_id`,`status`),
  KEY `ix_problem_reports_reporter` (`reporter_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `resident_bindings`
  ADD COLUMN `relation` varchar(16) NOT NULL DEFAULT 'owner';

CREATE TABLE `resident_subscriptions` (
  `resident_id` varchar(36) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `remaining` bigint(20) NOT NULL DEFAULT 0,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`resident_id`,`kind`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `residents`
  ADD COLUMN `tokens_valid_after` datetime(3) DEFAULT NULL;

CREATE TABLE `result_objections` (
  `id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `text` text NOT NULL,
  `filed_by_kind` varchar(16) NOT NULL,
  `filed_by_id` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `outcome` varchar(16) NOT NULL DEFAULT '',
  `explanation` text DEFAULT NULL,
  `resolved_by` varchar(36) NOT NULL DEFAULT '',
  `resolved_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_result_objections_round` (`round_id`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `round_reminders` (
  `round_id` varchar(36) NOT NULL,
  `enqueued_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`round_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `rounds`
  ADD COLUMN `electorate_basis` varchar(16) NOT NULL DEFAULT 'eligible',
  ADD COLUMN `late_sync_hours` bigint(20) NOT NULL DEFAULT 24,
  ADD COLUMN `notice_days` bigint(20) NOT NULL DEFAULT 7,
  ADD COLUMN `close_reason` varchar(500) NOT NULL DEFAULT '',
  ADD COLUMN `notice_ends_at` datetime(3) DEFAULT NULL,
  ADD COLUMN `finalized_at` datetime(3) DEFAULT NULL,
  ADD KEY `ix_rounds_status_notice` (`status`,`notice_ends_at`);

ALTER TABLE `sign_offs`
  ADD COLUMN `principal_name` varchar(100) NOT NULL DEFAULT '',
  ADD COLUMN `evidence_upload_id` varchar(36) NOT NULL DEFAULT '';

CREATE TABLE `survey_responses` (
  `id` varchar(36) NOT NULL,
  `survey_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `answers` text NOT NULL,
  `channel` varchar(16) NOT NULL,
  `recorded_by_kind` varchar(16) NOT NULL,
  `recorded_by_id` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_survey_household` (`survey_id`,`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `surveys` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `title` varchar(200) NOT NULL,
  `purpose` varchar(16) NOT NULL,
  `template` varchar(32) NOT NULL DEFAULT '',
  `questions` text NOT NULL,
  `status` varchar(16) NOT NULL,
  `closes_at` datetime(3) DEFAULT NULL,
  `opened_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `created_by` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_surveys_estate` (`estate_id`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `users`
  ADD COLUMN `tokens_valid_after` datetime(3) DEFAULT NULL;
