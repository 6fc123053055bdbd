public import Foundation

/// The OpenAPI 3.1 description of every endpoint of `spikecast serve`, served at `GET /openapi.json`.
///
/// This literal is the document kept in the repository (docs/api.md describes the API in prose).
/// `OpenAPITests` checks that its paths and methods are exactly the routes the service registers;
/// `scripts/test-openapi.sh` validates it and runs schemathesis against a live `serve`.
public enum OpenAPIDocument {
    /// The document as one service serves it: `info.version` set to its version, and the `node` and
    /// `threshold` query parameters of the forecast endpoint enumerating the nodes and thresholds it
    /// forecasts (the exact spellings it accepts).
    public static func json(version: String, nodes: [String], thresholds: [String]) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              var info = object["info"] as? [String: Any],
              var paths = object["paths"] as? [String: Any],
              var latest = paths["/api/v1/forecasts/latest"] as? [String: Any],
              var get = latest["get"] as? [String: Any],
              let parameters = get["parameters"] as? [[String: Any]] else {
            preconditionFailure("OpenAPIDocument.text lacks info or the forecast endpoint's parameters")
        }
        info["version"] = version
        object["info"] = info
        get["parameters"] = parameters.map { p -> [String: Any] in
            var p = p
            switch p["name"] as? String {
            case "node": p["schema"] = ["type": "string", "enum": nodes]; p["example"] = nodes.first
            case "threshold": p["schema"] = ["type": "string", "enum": thresholds]; p["example"] = thresholds.first
            default: break
            }
            return p
        }
        latest["get"] = get
        paths["/api/v1/forecasts/latest"] = latest
        object["paths"] = paths
        // swiftlint:disable:next force_try
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }

    /// The (method, path) pairs the document describes, paths in Hummingbird's notation
    /// (`{path}` of `/reports/{path}` is the recursive wildcard `**`).
    public static func operations() -> [(method: String, path: String)] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let paths = object["paths"] as? [String: [String: Any]] else { return [] }
        let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var out: [(method: String, path: String)] = []
        for (path, item) in paths {
            for m in methods where item[m] != nil {
                out.append((m.uppercased(), path.replacingOccurrences(of: "{path}", with: "**")))
            }
        }
        return out.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    public static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Spikecast service",
        "summary": "ERCOT real-time price-spike forecasts, health, Prometheus metrics and HTML reports.",
        "description": "The HTTP API of `spikecast serve`. Times are ISO-8601: `…Z` in UTC, or with the Central-time offset (`-05:00` CDT, `-06:00` CST) in the `*_cpt` fields. Every error is a JSON object `{\"error\": message}`. See docs/api.md.",
        "version": "dev",
        "license": { "name": "Proprietary", "identifier": "LicenseRef-Proprietary" }
      },
      "servers": [ { "url": "http://127.0.0.1:8000", "description": "the default `spikecast serve` address" } ],
      "paths": {
        "/api/v1/forecasts/latest": {
          "get": {
            "operationId": "latestForecast",
            "summary": "The latest issued forecast of one node and threshold",
            "description": "The 72 hourly spike probabilities of the most recent forecast (latest issue time) for `node` and `threshold`, both among those the service is configured with.",
            "parameters": [
              { "name": "node", "in": "query", "required": true, "description": "Settlement point, exactly as the service names it (the served document enumerates the service's nodes).",
                "schema": { "type": "string" }, "example": "HB_NORTH" },
              { "name": "threshold", "in": "query", "required": true, "description": "Price threshold in $/MWh as the service writes it, e.g. 100 (the served document enumerates the service's thresholds).",
                "schema": { "type": "string" }, "example": "100" },
              { "name": "role", "in": "query", "required": false, "description": "`production` (default): the newest forecast of any version but the shadow one; `shadow`: the newest forecast of the challenger version the service is configured with (404 when none is configured or issued).",
                "schema": { "type": "string", "enum": ["production", "shadow"], "default": "production" } }
            ],
            "responses": {
              "200": { "description": "The forecast.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Forecast" } } } },
              "400": { "$ref": "#/components/responses/BadRequest" },
              "404": { "description": "No forecast has been issued for this node and threshold.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "500": { "description": "The store cannot be read.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
          }
        },
        "/health": {
          "get": {
            "operationId": "health",
            "summary": "Readiness: the store opens and no scheduled job is overdue",
            "responses": {
              "200": { "description": "Healthy.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } },
              "503": { "description": "Unhealthy; `reasons` says why.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } }
            }
          }
        },
        "/livez": {
          "get": {
            "operationId": "livez",
            "summary": "Liveness: answers from memory, never touches the store",
            "responses": { "200": { "description": "`ok`.", "content": { "text/plain": { "schema": { "type": "string", "const": "ok\n" } } } } }
          },
          "head": {
            "operationId": "livezHead",
            "summary": "Liveness without a body",
            "responses": { "200": { "description": "Alive (no body)." } }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics in the text exposition format 0.0.4",
            "responses": { "200": { "description": "The metrics.", "content": { "text/plain": { "schema": { "type": "string" } } } } }
          },
          "head": {
            "operationId": "metricsHead",
            "summary": "The metrics' headers (Content-Length) without a body",
            "responses": { "200": { "description": "Metrics available (no body)." } }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": { "200": { "description": "The OpenAPI 3.1 document.", "content": { "application/json": { "schema": { "type": "object" } } } } }
          }
        },
        "/reports": {
          "get": {
            "operationId": "reportsIndex",
            "summary": "The reports folder's index.html",
            "responses": {
              "200": { "$ref": "#/components/responses/ReportFile" },
              "403": { "$ref": "#/components/responses/Forbidden" },
              "404": { "$ref": "#/components/responses/NoReport" }
            }
          }
        },
        "/reports/{path}": {
          "get": {
            "operationId": "reportFile",
            "summary": "A file below the reports folder (a folder serves its index.html)",
            "description": "`path` may span several segments (`backtest/2025-06-01/index.html`). Hidden or `.`/`..` components, encoded or not, and paths resolving outside the folder are refused with 403.",
            "parameters": [
              { "name": "path", "in": "path", "required": true, "description": "Path below the reports folder.", "schema": { "type": "string" }, "example": "index.html" }
            ],
            "responses": {
              "200": { "$ref": "#/components/responses/ReportFile" },
              "403": { "$ref": "#/components/responses/Forbidden" },
              "404": { "$ref": "#/components/responses/NoReport" }
            }
          }
        }
      },
      "components": {
        "schemas": {
          "Error": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": { "type": "string", "description": "What was wrong, naming the parameter or path." } },
            "additionalProperties": false
          },
          "Forecast": {
            "type": "object",
            "required": ["node", "threshold", "issue_date", "issue_time", "issue_time_cpt", "created_at", "deadline", "issued_before_deadline", "model_version", "role", "hours"],
            "properties": {
              "id": { "type": "integer", "description": "The stored forecast's id." },
              "node": { "type": "string", "examples": ["HB_NORTH"] },
              "threshold": { "type": "number", "description": "$/MWh." },
              "issue_date": { "type": "string", "format": "date", "description": "CPT issue day." },
              "issue_time": { "type": "string", "format": "date-time" },
              "issue_time_cpt": { "type": "string", "format": "date-time" },
              "created_at": { "type": "string", "format": "date-time" },
              "deadline": { "type": "string", "format": "date-time", "description": "When the day's forecast was due (the forecast deadline hour, CPT)." },
              "issued_before_deadline": { "type": "boolean" },
              "model_version": { "type": "string" },
              "role": { "type": "string", "enum": ["production", "shadow"], "description": "Whether this is the production forecast or the shadow (challenger) one." },
              "hours": { "type": "array", "items": { "$ref": "#/components/schemas/ForecastHour" } }
            },
            "additionalProperties": false
          },
          "ForecastHour": {
            "type": "object",
            "required": ["target_start", "target_start_cpt", "lead_hours", "probability"],
            "properties": {
              "target_start": { "type": "string", "format": "date-time" },
              "target_start_cpt": { "type": "string", "format": "date-time" },
              "lead_hours": { "type": "integer" },
              "probability": { "type": "number", "minimum": 0, "maximum": 1, "description": "P(max interval price of the hour > threshold)." }
            },
            "additionalProperties": false
          },
          "Health": {
            "type": "object",
            "required": ["status", "reasons", "time", "scheduler", "jobs", "version"],
            "properties": {
              "status": { "type": "string", "enum": ["ok", "unhealthy"] },
              "reasons": { "type": "array", "items": { "type": "string" } },
              "time": { "type": "string", "format": "date-time" },
              "scheduler": { "type": "string", "enum": ["disabled", "running"] },
              "jobs": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/JobHealth" } },
              "version": { "type": "string" }
            },
            "additionalProperties": false
          },
          "JobHealth": {
            "type": "object",
            "required": ["schedule", "next"],
            "properties": {
              "schedule": { "type": "string", "examples": ["daily 06:00"] },
              "next": { "type": "string", "format": "date-time", "description": "Next run, CPT." },
              "last_status": { "type": "string", "enum": ["running", "succeeded", "failed"] },
              "last_started": { "type": "string", "format": "date-time" },
              "last_error": { "type": "string" }
            },
            "additionalProperties": false
          }
        },
        "responses": {
          "BadRequest": { "description": "A parameter is missing, malformed or not one the service forecasts.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "Forbidden": { "description": "The path is not allowed (hidden, `.`/`..`, or outside the reports folder).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "NoReport": { "description": "No such report file.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "ReportFile": { "description": "The file, typed by its extension (HTML, CSS, PNG, SVG, CSV, JSON, …).", "content": { "*/*": { "schema": { "type": "string" } } } }
        }
      }
    }
    """#
}
