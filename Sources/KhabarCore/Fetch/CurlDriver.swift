internal import CCurl
internal import Foundation

/// One transfer's hand-off between a waiting task and the curl thread. The continuation lives
/// here, under a lock, so that whichever side finishes first (completion, cancellation,
/// shutdown) takes it out and resumes it: exactly once.
final class TransferTicket: Sendable {
    enum State {
        /// Created; the task has not handed over its continuation yet.
        case pending
        case submitted(CheckedContinuation<TransferResponse, any Error>)
        /// Cancelled before submission: the submission resumes at once instead.
        case cancelledEarly
        case finished
    }

    let id: UInt64
    let state = LockedValue(State.pending)

    init(id: UInt64) {
        self.id = id
    }

    /// Resumes the waiting task if nobody did yet.
    func finish(_ result: Result<TransferResponse, any Error>) {
        let continuation: CheckedContinuation<TransferResponse, any Error>? = state.withLock { state in
            guard case .submitted(let continuation) = state else { return nil }
            state = .finished
            return continuation
        }
        continuation?.resume(with: result)
    }
}

/// libcurl's multi interface on one dedicated thread.
///
/// Tasks hand requests to the thread through `inbox` and sleep on a continuation; the thread
/// adds them to the single multi handle (so connections and DNS answers are shared and
/// reused), runs `curl_multi_perform`/`curl_multi_poll`, and resumes each continuation when its
/// transfer is done. `curl_multi_wakeup` interrupts the poll when new work or a cancellation
/// arrives. Every libcurl call except `curl_multi_wakeup` happens on the thread.
///
/// `@unchecked Sendable`: `inbox` is lock-protected; `multi` is used by the thread, and by
/// `curl_multi_wakeup` only under the inbox lock while `multiClosed` is false; `active`,
/// `activeByTicket` and `idleHandles` are touched only on the thread.
final class CurlDriver: @unchecked Sendable {
    private struct Inbox {
        var newTransfers: [(TransferTicket, TransferRequest)] = []
        var cancellations: [UInt64] = []
        var shuttingDown = false
        var multiClosed = false
        /// The thread is in (or about to enter) curl_multi_poll and needs a wakeup to see
        /// new work. While it is busy it drains the inbox anyway, so no wakeup is sent:
        /// each one costs a write on libcurl's wakeup socket pair (TCP loopback here).
        var threadIsPolling = false
        var wakeupSent = false

        /// Wakes the curl thread if it is polling and nobody did yet.
        mutating func wakeIfPolling(_ multi: UnsafeMutableRawPointer) {
            guard threadIsPolling, !wakeupSent, !multiClosed else { return }
            wakeupSent = true
            curl_multi_wakeup(multi)
        }
    }

    private let inbox = LockedValue(Inbox())
    private let multi: UnsafeMutableRawPointer
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var activeByTicket: [UInt64: CurlTransfer] = [:]
    private var idleHandles: [EasyHandle] = []
    private let maxIdleHandles = 64
    private let nextTicketID = LockedValue<UInt64>(0)
    private let stopped = DispatchSemaphore(value: 0)

    init() {
        LibCurl.initializeOnce()
        multi = curl_multi_init()!
        // Keep a few idle connections per host for reuse, and multiplex HTTP/2 streams.
        _ = khabar_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        _ = khabar_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [self] in runLoop() }
        thread.name = "khabar-curl"
        thread.start()
    }

    /// Runs one hop on the curl thread. Cancelling the calling task removes the transfer and
    /// throws `CancellationError`.
    func perform(_ request: TransferRequest) async throws -> TransferResponse {
        let ticket = TransferTicket(id: nextTicketID.withLock { $0 += 1; return $0 })
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = ticket.state.withLock { state -> Bool in
                    guard case .pending = state else { return false }
                    state = .submitted(continuation)
                    return true
                }
                guard accepted else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let refused = inbox.withLock { inbox -> Bool in
                    guard !inbox.shuttingDown else { return true }
                    inbox.newTransfers.append((ticket, request))
                    inbox.wakeIfPolling(multi)
                    return false
                }
                if refused { ticket.finish(.failure(FetchError.shutDown)) }
            }
        } onCancel: {
            let wasSubmitted = ticket.state.withLock { state -> Bool in
                switch state {
                case .pending: state = .cancelledEarly; return false
                case .submitted: return true
                case .cancelledEarly, .finished: return false
                }
            }
            guard wasSubmitted else { return }
            inbox.withLock { inbox in
                guard !inbox.multiClosed else { return }
                inbox.cancellations.append(ticket.id)
                inbox.wakeIfPolling(multi)
            }
        }
    }

    /// Stops the thread: transfers in flight and queued fail with `FetchError.shutDown`.
    /// Waits until the thread has let go of libcurl.
    func shutdown() {
        let alreadyDown = inbox.withLock { inbox -> Bool in
            if inbox.shuttingDown { return true }
            inbox.shuttingDown = true
            inbox.wakeIfPolling(multi)
            return false
        }
        if !alreadyDown { stopped.wait() }
    }

    // MARK: - The curl thread

    private func runLoop() {
        var stillRunning: Int32 = 0
        while true {
            let (newTransfers, cancellations, shuttingDown) = inbox.withLock { inbox in
                defer { inbox.newTransfers.removeAll(); inbox.cancellations.removeAll() }
                return (inbox.newTransfers, inbox.cancellations, inbox.shuttingDown)
            }
            if shuttingDown { break }
            let cancelled = Set(cancellations)
            for id in cancelled { cancelActive(ticketID: id) }
            for (ticket, request) in newTransfers {
                if cancelled.contains(ticket.id) {
                    ticket.finish(.failure(CancellationError()))
                } else {
                    start(ticket: ticket, request: request)
                }
            }
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            var timeout = -1
            curl_multi_timeout(multi, &timeout)
            // With no transfers (-1) sleep until woken; otherwise at most 1 s, so a missed
            // timer can never stall a transfer for long.
            let wait = timeout < 0 ? (active.isEmpty ? 60_000 : 1000) : min(timeout, 1000)
            guard wait > 0 else { continue }
            // Announce the poll under the lock, and only with an empty inbox: work queued
            // after this point sends a wakeup, work queued before it is taken first.
            let mayPoll = inbox.withLock { inbox -> Bool in
                guard inbox.newTransfers.isEmpty, inbox.cancellations.isEmpty, !inbox.shuttingDown else { return false }
                inbox.threadIsPolling = true
                inbox.wakeupSent = false
                return true
            }
            guard mayPoll else { continue }
            curl_multi_poll(multi, nil, 0, Int32(wait), nil)
            inbox.withLock { $0.threadIsPolling = false }
        }
        closeDown()
    }

    private func start(ticket: TransferTicket, request: TransferRequest) {
        guard let easy = idleHandles.popLast() ?? EasyHandle() else {
            ticket.finish(.failure(FetchError.transport(code: -1, message: "curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(ticket: ticket, request: request, easy: easy)
        guard transfer.configure() else {
            transfer.releaseResources()
            recycle(easy)
            ticket.finish(.failure(FetchError.invalidURL(request.url)))
            return
        }
        let added = curl_multi_add_handle(multi, easy.handle)
        guard added == CURLM_OK else {
            transfer.releaseResources()
            recycle(easy)
            ticket.finish(.failure(FetchError.transport(code: Int(added.rawValue), message: "curl_multi_add_handle failed")))
            return
        }
        active[easy.handle] = transfer
        activeByTicket[ticket.id] = transfer
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                  let transfer = active[handle] else { continue }
            let code = message.pointee.data.result
            let result = transfer.result(code: code)
            remove(transfer)
            transfer.ticket.finish(result.mapError { $0 })
        }
    }

    private func cancelActive(ticketID: UInt64) {
        guard let transfer = activeByTicket[ticketID] else { return }
        remove(transfer)
        transfer.ticket.finish(.failure(CancellationError()))
    }

    private func remove(_ transfer: CurlTransfer) {
        curl_multi_remove_handle(multi, transfer.easy.handle)
        active[transfer.easy.handle] = nil
        activeByTicket[transfer.ticket.id] = nil
        transfer.releaseResources()
        recycle(transfer.easy)
    }

    private func recycle(_ easy: EasyHandle) {
        guard idleHandles.count < maxIdleHandles else { return }
        easy.reset()
        idleHandles.append(easy)
    }

    private func closeDown() {
        for transfer in Array(active.values) {
            remove(transfer)
            transfer.ticket.finish(.failure(FetchError.shutDown))
        }
        let queued = inbox.withLock { inbox in
            inbox.multiClosed = true
            defer { inbox.newTransfers.removeAll() }
            return inbox.newTransfers
        }
        for (ticket, _) in queued { ticket.finish(.failure(FetchError.shutDown)) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        stopped.signal()
    }
}
