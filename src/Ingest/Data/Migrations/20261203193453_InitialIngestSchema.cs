using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LiverFlow.Ingest.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialIngestSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "ingest");

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                schema: "ingest",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "patients",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    pseudonym = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "rejections",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    calling_ae_title = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    sop_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    study_hash = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    reason = table.Column<string>(type: "text", nullable: false),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rejections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "studies",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    patient_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    calling_ae_title = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    instance_count = table.Column<int>(type: "integer", nullable: false),
                    first_instance_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_instance_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    claimed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    assembly_attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_studies", x => x.id);
                    table.ForeignKey(
                        name: "fk_studies_patients_patient_id",
                        column: x => x.patient_id,
                        principalSchema: "ingest",
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "lesions",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    lesion_number = table.Column<int>(type: "integer", nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    segment_number = table.Column<int>(type: "integer", nullable: true),
                    label = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    voxel_count = table.Column<int>(type: "integer", nullable: false),
                    volume_mm3 = table.Column<double>(type: "double precision", nullable: false),
                    longest_diameter_mm = table.Column<double>(type: "double precision", nullable: false),
                    centre_x = table.Column<double>(type: "double precision", nullable: false),
                    centre_y = table.Column<double>(type: "double precision", nullable: false),
                    centre_z = table.Column<double>(type: "double precision", nullable: false),
                    box_i_min = table.Column<int>(type: "integer", nullable: false),
                    box_j_min = table.Column<int>(type: "integer", nullable: false),
                    box_k_min = table.Column<int>(type: "integer", nullable: false),
                    box_i_max = table.Column<int>(type: "integer", nullable: false),
                    box_j_max = table.Column<int>(type: "integer", nullable: false),
                    box_k_max = table.Column<int>(type: "integer", nullable: false),
                    box_x_min = table.Column<double>(type: "double precision", nullable: false),
                    box_y_min = table.Column<double>(type: "double precision", nullable: false),
                    box_z_min = table.Column<double>(type: "double precision", nullable: false),
                    box_x_max = table.Column<double>(type: "double precision", nullable: false),
                    box_y_max = table.Column<double>(type: "double precision", nullable: false),
                    box_z_max = table.Column<double>(type: "double precision", nullable: false),
                    mask_storage_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    mask_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lesions", x => x.id);
                    table.ForeignKey(
                        name: "fk_lesions_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "phase_decisions",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    series_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    temporal_position_identifier = table.Column<int>(type: "integer", nullable: true),
                    series_number = table.Column<int>(type: "integer", nullable: true),
                    series_description = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    phase = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    confidence = table.Column<double>(type: "double precision", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    selected = table.Column<bool>(type: "boolean", nullable: false),
                    rules_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_phase_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_phase_decisions_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "series",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    series_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    modality = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    series_number = table.Column<int>(type: "integer", nullable: true),
                    series_description = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_series", x => x.id);
                    table.ForeignKey(
                        name: "fk_series_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "study_versions",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    instance_count = table.Column<int>(type: "integer", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_study_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_study_versions_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "volumes",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    phase = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    source_series_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    temporal_position_identifier = table.Column<int>(type: "integer", nullable: true),
                    storage_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    media_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    columns = table.Column<int>(type: "integer", nullable: false),
                    rows = table.Column<int>(type: "integer", nullable: false),
                    slices = table.Column<int>(type: "integer", nullable: false),
                    affine_lps = table.Column<string>(type: "jsonb", nullable: false),
                    notes = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_volumes", x => x.id);
                    table.ForeignKey(
                        name: "fk_volumes_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "instances",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sop_instance_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    sop_class_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    study_id = table.Column<long>(type: "bigint", nullable: false),
                    series_id = table.Column<long>(type: "bigint", nullable: false),
                    instance_number = table.Column<int>(type: "integer", nullable: true),
                    storage_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    transfer_syntax_uid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    calling_ae_title = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    study_version = table.Column<int>(type: "integer", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_instances", x => x.id);
                    table.ForeignKey(
                        name: "fk_instances_series_series_id",
                        column: x => x.series_id,
                        principalSchema: "ingest",
                        principalTable: "series",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_instances_studies_study_id",
                        column: x => x.study_id,
                        principalSchema: "ingest",
                        principalTable: "studies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_received_at",
                schema: "ingest",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_instances_series_id",
                schema: "ingest",
                table: "instances",
                column: "series_id");

            migrationBuilder.CreateIndex(
                name: "ix_instances_sop_instance_uid",
                schema: "ingest",
                table: "instances",
                column: "sop_instance_uid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_instances_study_id",
                schema: "ingest",
                table: "instances",
                column: "study_id");

            migrationBuilder.CreateIndex(
                name: "ix_lesions_study_id_version_lesion_number",
                schema: "ingest",
                table: "lesions",
                columns: new[] { "study_id", "version", "lesion_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_undelivered",
                schema: "ingest",
                table: "outbox_messages",
                column: "created_at",
                filter: "dispatched_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_patients_pseudonym",
                schema: "ingest",
                table: "patients",
                column: "pseudonym",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_phase_decisions_study_id_version",
                schema: "ingest",
                table: "phase_decisions",
                columns: new[] { "study_id", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_rejections_rejected_at",
                schema: "ingest",
                table: "rejections",
                column: "rejected_at");

            migrationBuilder.CreateIndex(
                name: "ix_series_series_instance_uid",
                schema: "ingest",
                table: "series",
                column: "series_instance_uid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_series_study_id",
                schema: "ingest",
                table: "series",
                column: "study_id");

            migrationBuilder.CreateIndex(
                name: "ix_studies_correlation_id",
                schema: "ingest",
                table: "studies",
                column: "correlation_id");

            migrationBuilder.CreateIndex(
                name: "ix_studies_patient_id",
                schema: "ingest",
                table: "studies",
                column: "patient_id");

            migrationBuilder.CreateIndex(
                name: "ix_studies_state_last_instance_at",
                schema: "ingest",
                table: "studies",
                columns: new[] { "state", "last_instance_at" });

            migrationBuilder.CreateIndex(
                name: "ix_studies_study_instance_uid",
                schema: "ingest",
                table: "studies",
                column: "study_instance_uid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_study_versions_study_id_version",
                schema: "ingest",
                table: "study_versions",
                columns: new[] { "study_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_volumes_study_id_version_phase",
                schema: "ingest",
                table: "volumes",
                columns: new[] { "study_id", "version", "phase" },
                unique: true);

            // The worker role gets DML on this schema only (identity columns need their sequences);
            // QA dashboards read outcomes and reasons. Roles are made by `./liverflow up` or the site's DBA.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_ingest') THEN
                    GRANT USAGE ON SCHEMA ingest TO liverflow_ingest;
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ingest TO liverflow_ingest;
                    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ingest TO liverflow_ingest;
                  END IF;
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_qa_reader') THEN
                    GRANT USAGE ON SCHEMA ingest TO liverflow_qa_reader;
                    GRANT SELECT ON ingest.studies, ingest.study_versions, ingest.phase_decisions, ingest.rejections TO liverflow_qa_reader;
                  END IF;
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_messages",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "instances",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "lesions",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "phase_decisions",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "rejections",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "study_versions",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "volumes",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "series",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "studies",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "patients",
                schema: "ingest");
        }
    }
}
