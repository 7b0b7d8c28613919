using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LiverFlow.Inference.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialInferenceSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "inference");

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                schema: "inference",
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
                name: "lesion_results",
                schema: "inference",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    lesion_number = table.Column<int>(type: "integer", nullable: false),
                    model_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    model_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model_sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    predicted_class = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    confidence = table.Column<double>(type: "double precision", nullable: true),
                    probabilities = table.Column<float[]>(type: "real[]", nullable: true),
                    dense_activations = table.Column<byte[]>(type: "bytea", nullable: true),
                    test_time_augmentations = table.Column<int>(type: "integer", nullable: false),
                    batch_size = table.Column<int>(type: "integer", nullable: false),
                    preprocess_ms = table.Column<double>(type: "double precision", nullable: false),
                    inference_ms = table.Column<double>(type: "double precision", nullable: false),
                    execution_provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lesion_results", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "model_activations",
                schema: "inference",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    model_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    model_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    model_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    accepted = table.Column<bool>(type: "boolean", nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    execution_provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    host = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    checked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_activations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "inference",
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

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_received_at",
                schema: "inference",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_lesion_results_correlation_id_lesion_number_model_sha256",
                schema: "inference",
                table: "lesion_results",
                columns: new[] { "correlation_id", "lesion_number", "model_sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_model_activations_checked_at",
                schema: "inference",
                table: "model_activations",
                column: "checked_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_undelivered",
                schema: "inference",
                table: "outbox_messages",
                column: "created_at",
                filter: "dispatched_at IS NULL");

            // Least privilege: the worker role gets DML on this schema only; QA dashboards read the results and
            // the model activations. Roles are created by `./liverflow up`; where they do not exist (a developer
            // database) there is nothing to grant.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_inference') THEN
                    GRANT USAGE ON SCHEMA inference TO liverflow_inference;
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA inference TO liverflow_inference;
                    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA inference TO liverflow_inference;
                    ALTER DEFAULT PRIVILEGES IN SCHEMA inference GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO liverflow_inference;
                    ALTER DEFAULT PRIVILEGES IN SCHEMA inference GRANT USAGE, SELECT ON SEQUENCES TO liverflow_inference;
                  END IF;
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_qa_reader') THEN
                    GRANT USAGE ON SCHEMA inference TO liverflow_qa_reader;
                    GRANT SELECT ON inference.lesion_results, inference.model_activations TO liverflow_qa_reader;
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
                schema: "inference");

            migrationBuilder.DropTable(
                name: "lesion_results",
                schema: "inference");

            migrationBuilder.DropTable(
                name: "model_activations",
                schema: "inference");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "inference");
        }
    }
}
