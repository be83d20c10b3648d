internal import CCurl

/// libcurl's process-wide setup. `curl_global_init` is not thread-safe, so it runs once,
/// through a lazily initialised global (Swift guarantees one initialisation), before any
/// handle exists. Never cleaned up: other threads may still hold handles at exit.
enum LibCurl {
    private static let initialization: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    static func initializeOnce() {
        _ = initialization
    }
}
