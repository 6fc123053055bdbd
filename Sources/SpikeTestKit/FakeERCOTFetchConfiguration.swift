public import SpikeFetch

extension FakeERCOTServer {
    /// A fetch configuration pointing the ERCOT client at this server with its credentials (other
    /// settings at their defaults).
    public func fetchConfiguration() -> FetchConfiguration {
        var c = FetchConfiguration()
        c.ercotBaseURL = baseURL
        c.ercotTokenURL = tokenURL
        c.ercotUsername = credentials.username
        c.ercotPassword = Secret(credentials.password)
        c.ercotSubscriptionKey = Secret(credentials.subscriptionKey)
        return c
    }
}
