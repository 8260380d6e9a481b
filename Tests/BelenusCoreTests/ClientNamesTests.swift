import BelenusCore
import Testing

/// Issue 29: every one of these was published by the substring check.
@Suite struct ClientNamesTests {
    static let acme = ClientNames(company: "Acme S.A.", people: [
        .init(name: "Ana Pérez", login: "ana", email: "ana@acme.mx"),
        .init(name: "Luis de la Garza", login: "lgarza", email: "luis.garza@gmail.com"),
    ])

    @Test(arguments: [
        ("Error al timbrar la nómina Acme", "Acme S.A."),
        ("Escriba a soporte@acme.mx", "Acme S.A."),
        ("Lo reportó la Sra. Pérez", "Ana Pérez"),
        ("lo reporto la sra. PEREZ", "Ana Pérez"),
        ("Pe\u{301}rez lo vio", "Ana Pérez"),
        ("Acme S. A. de C. V.", "Acme S.A."),
        ("el usuario lgarza", "lgarza"),
        ("Garza y su equipo", "Luis de la Garza"),
    ])
    func aNameInTextIsFound(_ text: String, _ name: String) {
        #expect(Self.acme.mention(inText: text) == name)
    }

    /// As cmark renders them: entities decoded, markup gone.
    @Test(arguments: [
        "<p>Acme S.A. reportó</p>\n",
        "<p>Acme S.A.</p>\n",                       // from `Acme S&#46;A&#46;`, which cmark decodes
        "<p>la Sra. P&#xE9;rez</p>\n",
        "<p>Ac<strong>me</strong> S.A.</p>\n",
        "<p>Ac<!-- raw HTML omitted -->me</p>\n",
        "<p><a href=\"https://acme.mx/soporte\">el portal</a></p>\n",
    ])
    func aNameInRenderedHTMLIsFound(_ html: String) {
        #expect(Self.acme.mention(inHTML: html) != nil, "\(html)")
    }

    @Test(arguments: [
        "La semana pasada falló el timbrado.",       // contains the login "ana", not as a word
        "Use Gmail o Hotmail para recibir avisos.",  // a mail service is nobody's domain
        "Renueve el sello digital del grupo de nómina.",
        "Garzón",
    ])
    func textWithoutTheClientPasses(_ text: String) {
        #expect(Self.acme.mention(inText: text) == nil, "\(text)")
        #expect(Self.acme.mention(inHTML: "<p>\(text)</p>\n") == nil, "\(text)")
    }

    @Test func aCompanyOfGenericWordsIsFoundAsAWhole() {
        let names = ClientNames(company: "Grupo México", people: [])
        #expect(names.mention(inText: "lo vio grupo mexico") == "Grupo México")
        #expect(names.mention(inText: "el grupo de soporte en México") == nil)
    }

    @Test(arguments: [
        ("Error al timbrar la nómina Acme", "Error al timbrar la nómina el cliente"),
        ("Acme S.A. no timbra", "el cliente no timbra"),
        ("Ana Pérez de Acme S.A. escribió", "el cliente escribió"),
        ("Escriba a ana@acme.mx hoy", "Escriba a el cliente@el cliente hoy"),
        ("La semana pasada", "La semana pasada"),
    ])
    func theClientsNamesAreReplacedForThePrefill(_ text: String, _ expected: String) {
        let neutral = Self.acme.neutralized(text, with: "el cliente")
        #expect(neutral == expected)
        #expect(Self.acme.mention(inText: neutral) == nil, "\(neutral)")
    }
}
