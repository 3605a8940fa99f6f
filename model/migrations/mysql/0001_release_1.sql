-- Release 1: the schema of the first release, which GORM's AutoMigrate built from the models of commit 196a9be.
-- A release-1 database without schema_migrations is recorded as being at this version.

CREATE TABLE `estate_staffs` (
  `estate_id` varchar(36) NOT NULL,
  `user_id` varchar(36) NOT NULL,
  `role` varchar(16) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`estate_id`,`user_id`),
  KEY `ix_estate_staff_user` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `estates` (
  `id` varchar(36) NOT NULL,
  `code` varchar(32) NOT NULL,
  `name` varchar(100) NOT NULL,
  `district` varchar(100) NOT NULL DEFAULT '',
  `street` varchar(100) NOT NULL DEFAULT '',
  `community` varchar(100) NOT NULL DEFAULT '',
  `address` varchar(255) NOT NULL DEFAULT '',
  `contact_phone` varchar(32) NOT NULL DEFAULT '',
  `built_year` bigint(20) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_estates_code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `households` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `building` varchar(32) NOT NULL,
  `unit` varchar(32) NOT NULL,
  `room` varchar(32) NOT NULL,
  `area_hundredths` bigint(20) NOT NULL,
  `owner_name` varchar(100) NOT NULL DEFAULT '',
  `phone` varchar(32) NOT NULL DEFAULT '',
  `occupancy` varchar(16) NOT NULL DEFAULT 'owner',
  `eligible` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_households_address` (`estate_id`,`building`,`unit`,`room`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `idempotency_records` (
  `caller` varchar(64) NOT NULL,
  `key` varchar(128) NOT NULL,
  `request_hash` varchar(64) NOT NULL,
  `status` bigint(20) NOT NULL,
  `content_type` varchar(100) NOT NULL DEFAULT '',
  `body` mediumblob DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`caller`,`key`),
  KEY `ix_idempotency_created` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `refresh_tokens` (
  `id` varchar(36) NOT NULL,
  `token_hash` varchar(64) NOT NULL,
  `family_id` varchar(36) NOT NULL,
  `subject_kind` varchar(16) NOT NULL,
  `subject_id` varchar(36) NOT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `used_at` datetime(3) DEFAULT NULL,
  `revoked_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_refresh_tokens_hash` (`token_hash`),
  KEY `ix_refresh_tokens_family` (`family_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `round_members` (
  `round_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `building` varchar(32) NOT NULL,
  `unit` varchar(32) NOT NULL,
  `area_hundredths` bigint(20) NOT NULL,
  PRIMARY KEY (`round_id`,`household_id`),
  KEY `ix_round_members_area` (`round_id`,`area_hundredths`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `rounds` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `seq` bigint(20) NOT NULL,
  `title` varchar(200) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `revision_id` varchar(36) DEFAULT NULL,
  `rule_json` text NOT NULL,
  `scope_building` varchar(32) NOT NULL DEFAULT '',
  `scope_unit` varchar(32) NOT NULL DEFAULT '',
  `status` varchar(16) NOT NULL,
  `opened_at` datetime(3) DEFAULT NULL,
  `closes_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `electorate_households` bigint(20) NOT NULL DEFAULT 0,
  `electorate_area` bigint(20) NOT NULL DEFAULT 0,
  `result_json` mediumtext DEFAULT NULL,
  `created_by` varchar(36) NOT NULL DEFAULT '',
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_rounds_estate_seq` (`estate_id`,`seq`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `sign_off_events` (
  `id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `version` bigint(20) NOT NULL,
  `old_decision` varchar(16) NOT NULL,
  `new_decision` varchar(16) NOT NULL,
  `channel` varchar(16) NOT NULL,
  `signer_name` varchar(100) NOT NULL DEFAULT '',
  `comment` text DEFAULT NULL,
  `actor_kind` varchar(16) NOT NULL,
  `actor_id` varchar(36) NOT NULL,
  `actor_role` varchar(16) NOT NULL,
  `request_id` varchar(64) NOT NULL DEFAULT '',
  `recorded_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_signoff_events_household` (`round_id`,`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `sign_offs` (
  `id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `building` varchar(32) NOT NULL,
  `decision` varchar(16) NOT NULL,
  `channel` varchar(16) NOT NULL,
  `signer_name` varchar(100) NOT NULL DEFAULT '',
  `evidence_url` varchar(500) NOT NULL DEFAULT '',
  `comment` text DEFAULT NULL,
  `version` bigint(20) NOT NULL,
  `actor_kind` varchar(16) NOT NULL,
  `actor_id` varchar(36) NOT NULL,
  `recorded_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_round_household` (`round_id`,`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `tally_counters` (
  `round_id` varchar(36) NOT NULL,
  `building` varchar(32) NOT NULL,
  `decision` varchar(16) NOT NULL,
  `households` bigint(20) NOT NULL DEFAULT 0,
  `area_hundredths` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`round_id`,`building`,`decision`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `users` (
  `id` varchar(36) NOT NULL,
  `username` varchar(64) NOT NULL,
  `password_hash` varchar(100) NOT NULL,
  `display_name` varchar(100) NOT NULL,
  `role` varchar(16) NOT NULL,
  `disabled` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_users_username` (`username`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
