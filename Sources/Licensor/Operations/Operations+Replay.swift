import Glibc

/// `licensor replay`: re-runs steps 2–6 for stored events (never writing a new audit row), or ingests the spool.
extension Operations {
    /// What to replay.
    package struct ReplaySelection: Sendable {
        /// Rows by reference (`12` for Gumroad, `stripe:12`).
        package var ids: [AuditEventReference] = []
        package var allFailed = false
        package var since: Timestamp?
        package var spool = false
        package var dryRun = false

        /// Creates a selection.
        package init(
            ids: [AuditEventReference] = [], allFailed: Bool = false, since: Timestamp? = nil, spool: Bool = false,
            dryRun: Bool = false
        ) {
            self.ids = ids
            self.allFailed = allFailed
            self.since = since
            self.spool = spool
            self.dryRun = dryRun
        }
    }

    /// Replays the selected events and prints a summary; throws when any event still fails, so scripts notice.
    package func replay(_ selection: ReplaySelection, json: Bool) throws {
        guard !selection.ids.isEmpty || selection.allFailed || selection.since != nil || selection.spool else {
            throw LicensorError(.usage, "name event ids, or use --all-failed, --since or --spool")
        }
        let configuration = try configuration()
        var outcomes: [FulfillmentOutcome] = []
        var skipped: [String] = []
        var setAside: [String] = []
        var missing: [AuditEventReference] = []
        try withPipeline { _, services in
            var dependencies = services.pipelineDependencies
            dependencies.durableCommits = false  // one flush at the end instead of an fsync per event
            try services.store.beginBatch()
            defer { try? services.store.flush() }
            // Each row runs with the adapter of the storefront that sent it.
            let makePipeline = { (adapter: any StorefrontAdapter) -> FulfillmentPipeline in
                var perSource = dependencies
                perSource.adapter = adapter
                return FulfillmentPipeline(
                    dependencies: perSource, deadline: Deadline(budget: configuration.deadline), logger: logger)
            }
            if selection.spool {
                guard let directory = configuration.spoolDirectory else {
                    throw LicensorError(.configuration, "LICENSOR_SPOOL_DIR: is not set, so there is no spool")
                }
                let spool = Spool(directory: directory)
                let paths = try spool.paths()
                for (index, path) in paths.enumerated() {
                    progress(index, of: paths.count)
                    let entry: Spool.Entry
                    do {
                        entry = try spool.read(path)
                    } catch {
                        skipped.append("\(spool.moveAside(path)): \(error)")
                        continue
                    }
                    if selection.dryRun {
                        skipped.append("\(path): would ingest")
                        continue
                    }
                    let pipeline = makePipeline(entry.adapter)
                    let id: Int64
                    do {
                        id = try pipeline.audit(entry.delivery, receivedAt: entry.receivedAt)
                    } catch let refusal where !StoreError.isOutage(refusal) {
                        // The database refuses this entry itself: set it aside so the entries after it get in.
                        let target = spool.moveAside(path, suffix: "failed")
                        setAside.append("\(target): audit row refused: \(refusal)")
                        logger.error("spool entry refused; moved aside", metadata: ["file": "\(target)"])
                        continue
                    }
                    spool.remove(path)  // only now: its audit row is committed
                    outcomes.append(pipeline.process(eventID: id, delivery: entry.delivery))
                }
            }
            var events: [AuditEvent] = []
            if !selection.ids.isEmpty {
                events = try services.store.events(selection.ids)
                missing = Set(selection.ids).subtracting(events.map(\.reference)).sorted()
                skipped += missing.map { "event \($0): no such event" }
            } else if selection.allFailed || selection.since != nil {
                events = try services.store.events(
                    failedOnly: selection.allFailed, since: selection.since, limit: Int(Int32.max)
                ).reversed()
            }
            for (index, event) in events.enumerated() {
                progress(index, of: events.count)
                if selection.dryRun {
                    skipped.append(
                        "event \(event.reference) (\(event.eventType) \(event.orderID ?? "-")): would replay")
                    continue
                }
                do {
                    guard let adapter = StorefrontRegistry.standard.storefront(event.source) else {
                        skipped.append("event \(event.reference): no storefront \"\(event.source)\" in this build")
                        continue
                    }
                    let delivery = try WebhookDelivery(stored: event, adapter: adapter)
                    outcomes.append(makePipeline(adapter).process(eventID: event.id, delivery: delivery))
                } catch {
                    skipped.append("event \(event.reference): stored payload unreadable: \(error)")
                }
            }
        }
        let failed = outcomes.filter { $0.error != nil }
        if json {
            output(
                JSONValue.object([
                    ("replayed", .integer(outcomes.count)), ("processed", .integer(outcomes.count - failed.count)),
                    ("failed", .integer(failed.count)), ("events", .array(outcomes.map(\.detailedBody))),
                    ("skipped", .array(skipped.map(JSONValue.string))),
                    ("set_aside", .array(setAside.map(JSONValue.string))),
                ]).serialized())
        } else {
            output(
                "replayed \(outcomes.count) events: \(outcomes.count - failed.count) processed, \(failed.count) failed")
            for outcome in failed { output("  event \(outcome.reference): \(outcome.error ?? "")") }
            for line in skipped + setAside { output("  \(line)") }
        }
        if !failed.isEmpty { throw LicensorError(.usage, "\(failed.count) events still fail; see above") }
        if !missing.isEmpty {
            throw LicensorError(.usage, "no such event: \(missing.map(\.description).joined(separator: ", "))")
        }
        if !setAside.isEmpty {
            throw LicensorError(.usage, "\(setAside.count) spool entries were refused and moved aside; see above")
        }
    }

    /// Progress on stderr for long runs, so stdout stays a clean summary.
    private func progress(_ index: Int, of total: Int) {
        guard total >= 200, index > 0, index % 100 == 0 else { return }
        FileIO.writeAll(2, Array("replay: \(index)/\(total)\n".utf8))
    }
}
