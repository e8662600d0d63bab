#include "gateway/web/i18n.h"

#include <iterator>
#include <map>

namespace carebridge::gateway::web {
namespace {

struct Words {
  const char* en;
  const char* es;
};

// Every text of the pages, by key: English, Spanish.
constexpr std::pair<std::string_view, Words> kWords[] = {
      {"app", {"Carebridge", "Carebridge"}},
      {"skip", {"Skip to the content", "Saltar al contenido"}},
      {"switch", {"Español", "English"}},
      {"signin", {"Sign in", "Iniciar sesión"}},
      {"signout", {"Sign out", "Cerrar sesión"}},
      {"username", {"Username", "Usuario"}},
      {"password", {"Password", "Contraseña"}},
      {"signed-in-as", {"Signed in as", "Sesión iniciada como"}},
      {"of", {"of", "de"}},
      {"home", {"Home", "Inicio"}},
      {"home-intro", {"Carebridge connects the organizations that care for the same people. Choose what to do.",
                      "Carebridge conecta a las organizaciones que atienden a las mismas personas. Elija qué hacer."}},
      {"home-signed-out", {"Sign in to upload files, fill in forms and follow referrals.",
                           "Inicie sesión para subir archivos, llenar formularios y seguir las referencias."}},
      {"upload", {"Upload a file", "Subir un archivo"}},
      {"integrators", {"For integrators", "Para integradores"}},
      {"fhir-api", {"The FHIR API: what this server supports", "La API FHIR: lo que admite este servidor"}},
      {"health", {"Health", "Estado"}},
      {"metrics", {"Metrics (Prometheus)", "Métricas (Prometheus)"}},
      {"upload-help", {"Your export or spreadsheet (CSV or XLSX). Nothing is saved until you confirm.",
                       "Su exportación u hoja de cálculo (CSV o XLSX). No se guarda nada hasta que lo confirme."}},
      {"forms", {"Fill in a form", "Llenar un formulario"}},
      {"referrals", {"Referrals", "Referencias"}},
      {"subscriptions", {"Subscriptions", "Suscripciones"}},
      {"users", {"People who sign in", "Personas que inician sesión"}},
      {"users-intro", {"The staff of your organization who can sign in.", "El personal de su organización que puede iniciar sesión."}},
      {"add-user", {"Add a person", "Agregar una persona"}},
      {"new-password", {"Password (at least 12 characters)", "Contraseña (al menos 12 caracteres)"}},
      {"administrator", {"Administrator", "Administrador"}},
      {"disable", {"Disable", "Desactivar"}},
      {"active", {"Active", "Activa"}},
      {"disabled", {"Disabled", "Desactivada"}},
      {"user-added", {"The person can sign in now.", "La persona ya puede iniciar sesión."}},
      {"user-disabled", {"The account is disabled.", "La cuenta está desactivada."}},
      {"name", {"Name", "Nombre"}},
      {"format", {"Format", "Formato"}},
      {"file", {"File", "Archivo"}},
      {"check-file", {"Check the file", "Revisar el archivo"}},
    {"choose-format", {"Choose one of the formats offered.", "Elija uno de los formatos ofrecidos."}},
    {"choose-file", {"Choose the file to check (it is empty or missing).", "Elija el archivo que revisar (está vacío o falta)."}},
      {"check", {"Check", "Revisar"}},
      {"save", {"Save", "Guardar"}},
      {"preview", {"Check before saving", "Revise antes de guardar"}},
      {"will-save", {"Will be saved", "Se guardará"}},
      {"will-delete", {"Will be deleted (deleted in your system since an earlier upload)",
                       "Se borrará (borrado en su sistema desde una carga anterior)"}},
      {"rows-read", {"rows read", "filas leídas"}},
      {"row-read", {"row read", "fila leída"}},
      {"row-taken", {"row will be saved", "fila se guardará"}},
      {"row-not-taken", {"row cannot be saved", "fila no se puede guardar"}},
      {"rejected-help-none", {"Fix these rows in your file and upload it again.", "Corrija estas filas en su archivo y vuelva a subirlo."}},
      {"rejected-help-saved", {"These rows were not saved: fix them in your file and upload it again.",
                               "Estas filas no se guardaron: corríjalas en su archivo y vuelva a subirlo."}},
      {"rows-taken", {"rows will be saved", "filas se guardarán"}},
      {"rows-not-taken", {"rows cannot be saved", "filas no se pueden guardar"}},
      {"rejected", {"Rows that cannot be saved", "Filas que no se pueden guardar"}},
      {"rejected-help", {"Fix these rows in your file and upload it again, or save the other rows now.",
                         "Corrija estas filas en su archivo y vuelva a subirlo, o guarde las demás filas ahora."}},
      {"row", {"Row", "Fila"}},
      {"column", {"Column", "Columna"}},
      {"what-is-wrong", {"What is wrong", "Qué está mal"}},
      {"nothing-to-save", {"Nothing in this file can be saved.", "Nada de este archivo se puede guardar."}},
      {"file-problem", {"The file cannot be read", "No se puede leer el archivo"}},
      {"file-too-large", {"The file is too large for one upload", "El archivo es demasiado grande para una sola carga"}},
      {"saved-in-parts", {"The file is larger than one save holds, so it is saved in parts, one after another. Parts:",
                          "El archivo es más grande de lo que cabe en un solo guardado, así que se guarda por partes, una tras otra. Partes:"}},
      {"saved", {"Saved", "Guardado"}},
      {"receipt", {"Receipt", "Recibo"}},
      {"added", {"Added", "Agregados"}},
      {"changed", {"Changed", "Cambiados"}},
      {"unchanged", {"Already saved, unchanged", "Ya guardados, sin cambios"}},
      {"notes", {"Good to know", "Para tener en cuenta"}},
      {"more-notes", {"more notes like these", "notas más como estas"}},
      {"deleted", {"Deleted (deleted in your system)", "Borrados (borrados en su sistema)"}},
      {"nothing-changed", {"Nothing changed: everything in it was already saved.",
                           "Nada cambió: todo ya estaba guardado."}},
      {"not-saved", {"It could not be saved", "No se pudo guardar"}},
      {"print-hint", {"Print this page to keep a receipt.", "Imprima esta página para guardar un recibo."}},
      {"print", {"Print", "Imprimir"}},
      {"upload-another", {"Upload another file", "Subir otro archivo"}},
      {"expired", {"This preview has expired or was already saved. Upload the file again.",
                   "Esta vista previa venció o ya se guardó. Suba el archivo otra vez."}},
      {"errors-title", {"There is a problem", "Hay un problema"}},
      {"required", {"required", "obligatorio"}},
      {"choose", {"Choose…", "Elija…"}},
      {"forms-intro", {"For one intake or one referral at a time.", "Para un registro o una referencia a la vez."}},
      {"received", {"Sent to us", "Enviadas a nosotros"}},
      {"sent", {"Sent by us", "Enviadas por nosotros"}},
      {"none", {"None.", "Ninguna."}},
      {"client", {"Client", "Cliente"}},
      {"need", {"Need", "Necesidad"}},
      {"date", {"Date", "Fecha"}},
      {"status", {"Status", "Estado"}},
      {"to", {"To", "Para"}},
      {"from", {"From", "De"}},
      {"no-routing", {"Subscriptions are not delivered by this gateway.", "Esta puerta de enlace no entrega suscripciones."}},
      {"actions", {"Actions", "Acciones"}},
      {"accept", {"Accept", "Aceptar"}},
      {"decline", {"Decline", "Rechazar"}},
      {"complete", {"Complete", "Completar"}},
      {"reason", {"Reason", "Motivo"}},
      {"service-date", {"Service date", "Fecha del servicio"}},
      {"referral-updated", {"The referral was updated.", "La referencia se actualizó."}},
      {"referral-not-updated", {"The referral was not updated", "La referencia no se actualizó"}},
      {"decline-needs-reason", {"Say why the referral is declined, in a few words.", "Diga en pocas palabras por qué rechaza la referencia."}},
      {"complete-needs-date", {"Give the day the service was given.", "Indique el día en que se dio el servicio."}},
      {"st-draft", {"Draft", "Borrador"}},
      {"st-requested", {"Requested", "Solicitada"}},
      {"st-received", {"Received", "Recibida"}},
      {"st-accepted", {"Accepted", "Aceptada"}},
      {"st-rejected", {"Declined", "Rechazada"}},
      {"st-ready", {"Ready", "Lista"}},
      {"st-cancelled", {"Cancelled", "Cancelada"}},
      {"st-in-progress", {"In progress", "En curso"}},
      {"st-on-hold", {"On hold", "En espera"}},
      {"st-failed", {"Could not be done", "No se pudo hacer"}},
      {"st-completed", {"Completed", "Completada"}},
      {"st-entered-in-error", {"Entered in error", "Ingresada por error"}},
      {"subs-intro", {"Your organization's subscriptions: where each one's notifications stand.",
                      "Las suscripciones de su organización: cómo van sus notificaciones."}},
      {"endpoint", {"Sent to", "Se envía a"}},
      {"backlog", {"Waiting to be sent", "Esperando envío"}},
      {"oldest", {"Oldest waiting since", "Espera más antigua desde"}},
      {"last-error", {"Last error", "Último error"}},
      {"retry", {"Retry now", "Reintentar ahora"}},
      {"retried", {"Delivery was started again.", "El envío se reanudó."}},
      {"admins-only", {"Only your organization's administrators can see this page.",
                       "Solo los administradores de su organización pueden ver esta página."}},
      // One answer whether the name is wrong or locked: only real accounts lock, so two answers
      // would tell which names are staff (a shelter's people among them).
      {"signin-wrong", {"The username or the password is not right, or the account is locked for 15 minutes after too many "
                        "failed sign-ins.",
                        "El usuario o la contraseña no son correctos, o la cuenta está bloqueada por 15 minutos después de "
                        "demasiados intentos fallidos."}},
      {"csrf", {"This form has expired. Go back, reload the page and try again.",
                "Este formulario venció. Regrese, recargue la página e intente otra vez."}},
      {"not-found", {"This page does not exist.", "Esta página no existe."}},
      {"bad-form", {"The form could not be read. Go back and send it again.", "No se pudo leer el formulario. Regrese y envíelo otra vez."}},
};

const std::map<std::string_view, Words>& catalog() {
  static const std::map<std::string_view, Words> words(std::begin(kWords), std::end(kWords));
  return words;
}

struct Plain {
  const char* one_en;
  const char* many_en;
  const char* one_es;
  const char* many_es;
};

// Resource types in plain words: one, many (English), one, many (Spanish).
constexpr std::pair<std::string_view, Plain> kPlain[] = {
      {"Patient", {"person", "people", "persona", "personas"}},
      {"Group", {"household", "households", "hogar", "hogares"}},
      {"Encounter", {"visit", "visits", "visita", "visitas"}},
      {"Procedure", {"service given", "services given", "servicio dado", "servicios dados"}},
      {"Observation", {"answer or measurement", "answers and measurements", "respuesta o medida", "respuestas y medidas"}},
      {"ServiceRequest", {"referral", "referrals", "referencia", "referencias"}},
      {"Task", {"referral task", "referral tasks", "tarea de referencia", "tareas de referencia"}},
      {"Consent", {"consent", "consents", "consentimiento", "consentimientos"}},
      {"EpisodeOfCare", {"enrollment", "enrollments", "inscripción", "inscripciones"}},
      {"CarePlan", {"care plan", "care plans", "plan de atención", "planes de atención"}},
      {"Goal", {"goal", "goals", "meta", "metas"}},
      {"CareTeam", {"care team", "care teams", "equipo de atención", "equipos de atención"}},
      {"Organization", {"organization", "organizations", "organización", "organizaciones"}},
      {"HealthcareService", {"service", "services", "servicio", "servicios"}},
      {"Location", {"place", "places", "lugar", "lugares"}},
};

const std::map<std::string_view, Plain>& plain_words() {
  static const std::map<std::string_view, Plain> words(std::begin(kPlain), std::end(kPlain));
  return words;
}

}  // namespace

std::string_view text(Lang lang, std::string_view key) {
  auto it = catalog().find(key);
  if (it == catalog().end()) return key;
  return lang == Lang::Es ? it->second.es : it->second.en;
}

Lang choose_lang(std::string_view query_lang, std::string_view cookie_lang, std::string_view accept_language) {
  if (query_lang == "es" || query_lang == "en") return query_lang == "es" ? Lang::Es : Lang::En;
  if (cookie_lang == "es" || cookie_lang == "en") return cookie_lang == "es" ? Lang::Es : Lang::En;
  // The first language of the list that the pages have (q-values as browsers send them, in order).
  while (!accept_language.empty()) {
    size_t comma = accept_language.find(',');
    std::string_view item = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos ? std::string_view() : accept_language.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::string_view tag = item.substr(0, item.find_first_of(";-_ "));
    if (tag.size() == 2 && (tag[0] | 0x20) == 'e' && (tag[1] | 0x20) == 's') return Lang::Es;
    if (tag.size() == 2 && (tag[0] | 0x20) == 'e' && (tag[1] | 0x20) == 'n') return Lang::En;
  }
  return Lang::En;
}

std::string reason_in(Lang lang, std::string_view reason) {
  // Longest phrases first where one contains another ("a date and time" before "a date").
  static const std::pair<std::string_view, std::string_view> kPhrases[] = {
      {" is not a date and time (write it as 2024-01-31T14:30:00)", " no es una fecha y hora (escríbala como 2024-01-31T14:30:00)"},
      {" is not a date (write it as 2024-01-31 or 1/31/2024)", " no es una fecha (escríbala como 2024-01-31 o 1/31/2024)"},
      {" is not a whole number", " no es un número entero"},
      {" is not a number", " no es un número"},
      {" is not yes or no", " no es sí o no"},
      {" is not one of the allowed values", " no es uno de los valores permitidos"},
      {" for no answer)", " si no hay respuesta)"},
      {" is not a phone number with its area code: it is kept as written",
       " no es un número de teléfono con su código de área: se guarda tal como está escrito"},
      {" is not a phone number (write it as (617) 555-0142, or +44 20 7946 0958 from abroad)",
       " no es un número de teléfono (escríbalo como (617) 555-0142, o +44 20 7946 0958 desde el extranjero)"},
      {" is not a ZIP code (5 or 9 digits)", " no es un código postal (5 o 9 dígitos)"},
      {" is not a ZIP code", " no es un código postal"},
      {" is not an e-mail address", " no es una dirección de correo electrónico"},
      {" holds more than one e-mail address: only the first is kept",
       " tiene más de una dirección de correo electrónico: solo se guarda la primera"},
      {" is not a time of day (write it as 17:30)", " no es una hora del día (escríbala como 17:30)"},
      {" is required and is empty", " es obligatorio y está vacío"},
      {"the row has ", "la fila tiene "},
      {" values but the header names ", " valores pero el encabezado nombra "},
      {" columns (is a value with a comma not in quotes?)", " columnas (¿hay un valor con una coma sin comillas?)"},
      {" column (is a value with a comma not in quotes?)", " columna (¿hay un valor con una coma sin comillas?)"},
      {"the file has no column ", "el archivo no tiene la columna "},
      {"no form has the field ", "ningún formulario tiene el campo "},
      {", which must be there", ", que es obligatoria"},
      {" here, or it is not your organization's to change", " aquí, o no le corresponde a su organización cambiarlo"},
      {"there is no ", "no existe "},
      {"this referral is not addressed to your organization, so only its receiver can change where it stands",
       "esta referencia no está dirigida a su organización: solo quien la recibe puede cambiar su estado"},
      {" and cannot become ", " y no puede pasar a "},
      {"(after ", "(después de "},
      {" comes ", " viene "},
      {" is not a record id (letters, digits, - and . only, at most 64)",
       " no es un identificador de registro (solo letras, dígitos, - y ., como máximo 64)"},
  };
  if (lang != Lang::Es) return std::string(reason);
  // Only the engine's words are translated, never the values it quotes ("there is no phone").
  std::string out;
  bool quoted = false;
  for (size_t start = 0; start < reason.size();) {
    size_t quote = reason.find('"', start);
    std::string span(reason.substr(start, quote == std::string_view::npos ? std::string_view::npos : quote - start));
    if (!quoted)
      for (const auto& [english, spanish] : kPhrases)
        for (size_t at = span.find(english); at != std::string::npos; at = span.find(english, at + spanish.size()))
          span.replace(at, english.size(), spanish);
    out += span;
    if (quote == std::string_view::npos) break;
    out += '"';
    quoted = !quoted;
    start = quote + 1;
  }
  return out;
}

std::string count_of(Lang lang, std::string_view resource_type, size_t n) {
  auto it = plain_words().find(resource_type);
  std::string words;
  if (it == plain_words().end()) words = std::string(resource_type);
  else if (lang == Lang::Es) words = n == 1 ? it->second.one_es : it->second.many_es;
  else words = n == 1 ? it->second.one_en : it->second.many_en;
  return std::to_string(n) + " " + words;
}

}  // namespace carebridge::gateway::web
