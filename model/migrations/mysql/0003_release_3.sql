-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `household_signers` (
  `household_id` varchar(36) NOT NULL,
  `resident_id` varchar(36) NOT NULL,
  `set_by` varchar(36) NOT NULL DEFAULT '',
  `set_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`household_id`),
  KEY `ix_household_signers_resident` (`resident_id`)
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

ALTER TABLE `resident_bindings`
  ADD COLUMN `relation` varchar(16) NOT NULL DEFAULT 'owner';

CREATE TABLE `resident_subscriptions` (
  `resident_id` varchar(36) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `remaining` bigint(20) NOT NULL DEFAULT 0,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`resident_id`,`kind`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `round_reminders` (
  `round_id` varchar(36) NOT NULL,
  `enqueued_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`round_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `sign_offs`
  ADD COLUMN `principal_name` varchar(100) NOT NULL DEFAULT '',
  ADD COLUMN `evidence_upload_id` varchar(36) NOT NULL DEFAULT '';
