-- Release 2: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

RENAME TABLE `estate_staffs` TO `estate_staff`;

CREATE TABLE `audit_chains` (
  `chain_id` varchar(48) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `seq` bigint(20) NOT NULL,
  `prev_hash` varchar(64) NOT NULL,
  `head_hash` varchar(64) NOT NULL,
  PRIMARY KEY (`chain_id`),
  KEY `ix_audit_chains_estate` (`estate_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `audit_events` (
  `id` varchar(36) NOT NULL,
  `chain_id` varchar(48) NOT NULL,
  `seq` bigint(20) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `actor_kind` varchar(16) NOT NULL,
  `actor_id` varchar(64) NOT NULL,
  `actor_role` varchar(16) NOT NULL,
  `channel` varchar(16) NOT NULL,
  `action` varchar(48) NOT NULL,
  `object_type` varchar(32) NOT NULL,
  `object_id` varchar(64) NOT NULL,
  `before_summary` text DEFAULT NULL,
  `after_summary` text DEFAULT NULL,
  `request_id` varchar(64) NOT NULL,
  `occurred_at` datetime(3) NOT NULL,
  `prev_hash` varchar(64) NOT NULL,
  `hash` varchar(64) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_audit_events_chain_seq` (`chain_id`,`seq`),
  KEY `ix_audit_events_estate` (`estate_id`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `binding_codes` (
  `id` varchar(36) NOT NULL,
  `code_hash` varchar(64) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `used_at` datetime(3) DEFAULT NULL,
  `used_by` varchar(36) NOT NULL DEFAULT '',
  `created_by` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_binding_codes_hash` (`code_hash`),
  KEY `ix_binding_codes_household` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `binding_failures` (
  `id` varchar(36) NOT NULL,
  `resident_id` varchar(36) NOT NULL,
  `attempted_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_binding_failures_resident` (`resident_id`,`attempted_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `households`
  MODIFY COLUMN `phone` varchar(128) NOT NULL DEFAULT '',
  ADD COLUMN `phone_hash` varchar(64) NOT NULL DEFAULT '',
  MODIFY COLUMN `eligible` tinyint(1) NOT NULL,
  ADD KEY `ix_households_phone_hash` (`phone_hash`);

CREATE TABLE `login_failures` (
  `id` varchar(36) NOT NULL,
  `pair_hash` varchar(64) NOT NULL,
  `failed_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_login_failures_pair` (`pair_hash`,`failed_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `moderation_items` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `status` varchar(16) NOT NULL,
  `subject_kind` varchar(32) NOT NULL,
  `subject_id` varchar(36) NOT NULL,
  `subject_version` bigint(20) NOT NULL DEFAULT 0,
  `text` text NOT NULL,
  `reason` varchar(64) NOT NULL DEFAULT '',
  `trace_id` varchar(64) NOT NULL DEFAULT '',
  `author_kind` varchar(16) NOT NULL,
  `author_id` varchar(36) NOT NULL,
  `reviewed_by` varchar(36) NOT NULL DEFAULT '',
  `reviewed_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_moderation_subject` (`subject_kind`,`subject_id`,`subject_version`),
  KEY `ix_moderation_estate_status` (`estate_id`,`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `objection_events` (
  `id` varchar(36) NOT NULL,
  `objection_id` varchar(36) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `status` varchar(16) NOT NULL,
  `outcome` varchar(24) NOT NULL DEFAULT '',
  `explanation` text DEFAULT NULL,
  `revision_id` varchar(36) DEFAULT NULL,
  `satisfied` tinyint(1) DEFAULT NULL,
  `note` text DEFAULT NULL,
  `actor_kind` varchar(16) NOT NULL,
  `actor_id` varchar(36) NOT NULL,
  `actor_role` varchar(16) NOT NULL,
  `channel` varchar(16) NOT NULL DEFAULT '',
  `request_id` varchar(64) NOT NULL DEFAULT '',
  `recorded_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_objection_events_objection` (`objection_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `objections` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `status` varchar(16) NOT NULL,
  `round_id` varchar(36) DEFAULT NULL,
  `household_id` varchar(36) DEFAULT NULL,
  `category` varchar(32) NOT NULL,
  `plan_item` varchar(100) NOT NULL DEFAULT '',
  `content` text NOT NULL,
  `moderation` varchar(16) NOT NULL DEFAULT 'published',
  `channel` varchar(16) NOT NULL,
  `filed_by_kind` varchar(16) NOT NULL,
  `filed_by_id` varchar(36) NOT NULL,
  `filed_by_role` varchar(16) NOT NULL,
  `outcome` varchar(24) NOT NULL DEFAULT '',
  `explanation` text DEFAULT NULL,
  `revision_id` varchar(36) DEFAULT NULL,
  `answer_version` bigint(20) NOT NULL DEFAULT 0,
  `answered_by` varchar(36) NOT NULL DEFAULT '',
  `answered_at` datetime(3) DEFAULT NULL,
  `follow_up_satisfied` tinyint(1) DEFAULT NULL,
  `follow_up_note` text DEFAULT NULL,
  `closed_by` varchar(36) NOT NULL DEFAULT '',
  `closed_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_objections_estate_status` (`estate_id`,`status`),
  KEY `ix_objections_round` (`round_id`),
  KEY `ix_objections_household` (`household_id`),
  KEY `ix_objections_filed_by` (`filed_by_id`),
  KEY `ix_objections_revision` (`revision_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `resident_bindings` (
  `id` varchar(36) NOT NULL,
  `resident_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `binding_code_id` varchar(36) NOT NULL DEFAULT '',
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_resident_household` (`resident_id`,`household_id`),
  KEY `ix_resident_bindings_estate` (`resident_id`,`estate_id`),
  KEY `ix_resident_bindings_household` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `residents` (
  `id` varchar(36) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `union_id` varchar(64) NOT NULL DEFAULT '',
  `phone` varchar(128) NOT NULL DEFAULT '',
  `phone_hash` varchar(64) NOT NULL DEFAULT '',
  `disabled` tinyint(1) NOT NULL DEFAULT 0,
  `last_login_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_residents_openid` (`open_id`),
  KEY `ix_residents_unionid` (`union_id`),
  KEY `ix_residents_phone_hash` (`phone_hash`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `revision_objections` (
  `revision_id` varchar(36) NOT NULL,
  `objection_id` varchar(36) NOT NULL,
  PRIMARY KEY (`revision_id`,`objection_id`),
  KEY `ix_revision_objections_objection` (`objection_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `revisions` (
  `id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `version` bigint(20) NOT NULL,
  `title` varchar(200) NOT NULL,
  `summary` text DEFAULT NULL,
  `changes` mediumtext DEFAULT NULL,
  `published_by` varchar(36) NOT NULL DEFAULT '',
  `published_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_revisions_estate_version` (`estate_id`,`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `round_open_overrides` (
  `round_id` varchar(36) NOT NULL,
  `forced_by` varchar(36) NOT NULL,
  `forced_role` varchar(16) NOT NULL,
  `request_id` varchar(64) NOT NULL DEFAULT '',
  `unanswered_ids` text DEFAULT NULL,
  `forced_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`round_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `sync_records` (
  `caller` varchar(64) NOT NULL,
  `client_id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL DEFAULT '',
  `household_id` varchar(36) NOT NULL DEFAULT '',
  `type` varchar(16) NOT NULL,
  `device_recorded_at` datetime(3) DEFAULT NULL,
  `request_id` varchar(64) NOT NULL DEFAULT '',
  `result_json` text NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`caller`,`client_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `uploads` (
  `id` varchar(36) NOT NULL,
  `stored_name` varchar(80) NOT NULL,
  `content_type` varchar(64) NOT NULL,
  `size_bytes` bigint(20) NOT NULL,
  `sha256` varchar(64) NOT NULL,
  `uploader_kind` varchar(16) NOT NULL,
  `uploader_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) DEFAULT NULL,
  `owner_kind` varchar(16) NOT NULL DEFAULT '',
  `owner_id` varchar(36) NOT NULL DEFAULT '',
  `position` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_uploads_stored_name` (`stored_name`),
  KEY `ix_uploads_uploader` (`uploader_id`),
  KEY `ix_uploads_estate` (`estate_id`),
  KEY `ix_uploads_owner` (`owner_kind`,`owner_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `visits` (
  `id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `outcome` varchar(16) NOT NULL,
  `note` text DEFAULT NULL,
  `channel` varchar(16) NOT NULL,
  `actor_kind` varchar(16) NOT NULL,
  `actor_id` varchar(36) NOT NULL,
  `request_id` varchar(64) NOT NULL DEFAULT '',
  `visited_at` datetime(3) DEFAULT NULL,
  `recorded_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_visits_round_household` (`round_id`,`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
