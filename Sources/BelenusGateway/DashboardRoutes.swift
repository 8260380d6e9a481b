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
        guard try builder().regenerateDashboard(now: now) != nil else {
            // A whole build holds the build lock: rendered for this view, not written.
            return .html(200, bytes: PageBlocks.filled(try builder().renderedDashboard(now: now), with: user.csrfToken))
        }
        return .html(
            200, bytes: try generatedPage(paths.output + "/" + SiteBuilder.dashboardPath, missing: "the dashboard", csrf: user.csrfToken))
    }
}
