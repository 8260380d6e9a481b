import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET /dashboard`.
extension Gateway {
    /// `GET /dashboard`, technicians and admins only: the generated dashboard, brought up to date
    /// first (its counts move with the clock as well as with changes).
    func dashboard(_ user: SignedIn) throws -> Response {
        guard user.actor.role.isStaff else { throw GatewayError(403, "the dashboard is for technicians") }
        try builder().regenerateDashboard(now: now)
        return .html(
            200, bytes: try generatedPage(paths.output + "/" + SiteBuilder.dashboardPath, missing: "the dashboard", csrf: user.csrfToken))
    }
}
