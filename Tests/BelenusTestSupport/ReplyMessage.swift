/// A client's reply to a notification as a mail client writes it (issue 33's tests): the new text
/// above Gmail's Spanish quote header and the quoted line, and a file `captura.txt`.
public enum ReplyMessage {
    public static func text(to address: String, ticket: Int, from: String = "Ana Pérez <ana@acme.mx>", id: String,
                            extra: String = "", text: String = "Ya lo probé y sigue igual.") -> String {
        """
        From: \(from)
        To: \(address)
        Subject: Re: [#\(ticket)] No timbra la nómina
        Message-ID: <\(id)>
        \(extra)MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="frontera"

        --frontera
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        \(text)

        El lun, 7 dic 2026 a las 10:15, Soporte <\(address)> escribió:
        > ¿Nos manda el XML?
        --frontera
        Content-Type: text/plain; name="captura.txt"
        Content-Disposition: attachment; filename="captura.txt"

        error CFDI40102
        --frontera--

        """
    }
}
