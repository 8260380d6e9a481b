import BelenusTemplates

/// `dashboard.mustache`: open tickets by SLA state, product and technician, and twelve weeks of
/// opened and closed tickets, as bars laid out in Swift and drawn by the template in SVG.
struct DashboardPage: TemplateModel {
    struct State: TemplateModel {
        var state: String
        var label: String
        var icon: String
        var count: Int
        var width: String
        static let templateFields = TemplateFields<State> {
            $0.text("state") { $0.state }
            $0.text("label") { $0.label }
            $0.text("icon") { $0.icon }
            $0.number("count") { $0.count }
            $0.text("width") { $0.width }
        }
    }

    struct Segment: TemplateModel {
        var state: String
        var label: String
        var count: Int
        var x: String
        var width: String
        static let templateFields = TemplateFields<Segment> {
            $0.text("state") { $0.state }
            $0.text("label") { $0.label }
            $0.number("count") { $0.count }
            $0.text("x") { $0.x }
            $0.text("width") { $0.width }
        }
    }

    /// A product's or technician's stacked bar.
    struct Stack: TemplateModel {
        var name: String
        var query: String
        var total: Int
        var segments: [Segment]
        var breakdown: String
        static let templateFields = TemplateFields<Stack> {
            $0.text("name") { $0.name }
            $0.text("query") { $0.query }
            $0.number("total") { $0.total }
            $0.list("segments") { $0.segments }
            $0.text("breakdown") { $0.breakdown }
        }
    }

    struct Week: TemplateModel {
        var label: String
        var dateISO: String
        var opened: Int
        var closed: Int
        var labelX: String
        var openedX: String
        var openedY: String
        var openedH: String
        var closedX: String
        var closedY: String
        var closedH: String
        static let templateFields = TemplateFields<Week> {
            $0.text("label") { $0.label }
            $0.text("date_iso") { $0.dateISO }
            $0.number("opened") { $0.opened }
            $0.number("closed") { $0.closed }
            $0.text("label_x") { $0.labelX }
            $0.text("opened_x") { $0.openedX }
            $0.text("opened_y") { $0.openedY }
            $0.text("opened_h") { $0.openedH }
            $0.text("closed_x") { $0.closedX }
            $0.text("closed_y") { $0.closedY }
            $0.text("closed_h") { $0.closedH }
        }
    }

    struct Weekly: TemplateModel {
        var weeks: [Week]
        var max: Int
        var summary: String
        static let templateFields = TemplateFields<Weekly> {
            $0.list("weeks") { $0.weeks }
            $0.number("max") { $0.max }
            $0.text("summary") { $0.summary }
        }
    }

    var totalOpen: Int
    var slaRows: [State]
    var productRows: [Stack]
    var techRows: [Stack]
    var weekly: Weekly
    var legend: [State]
    static let templateFields = TemplateFields<DashboardPage> {
        $0.number("total_open") { $0.totalOpen }
        $0.list("sla_rows") { $0.slaRows }
        $0.list("product_rows") { $0.productRows }
        $0.list("tech_rows") { $0.techRows }
        $0.flag("has_open") { $0.totalOpen > 0 }
        $0.object("weekly", \.weekly)
        $0.list("legend") { $0.legend }
    }
}
