# Los nombres de la plantilla: títulos de la UIT (a verificar con las Actas Finales oficiales).

## Tracks (committees and working groups), by the template's id
track-PL = Plenaria
track-COM1 = Comisión 1 – Comisión de Dirección
track-COM2 = Comisión 2 – Credenciales
track-COM3 = Comisión 3 – Control del Presupuesto
track-COM4 = Comisión 4 – Redacción
track-COM5 = Comisión 5 – Política y Asuntos Jurídicos
track-COM6 = Comisión 6 – Administración y Gestión
track-WG-PL = Grupo de Trabajo de la Plenaria

## Agenda item titles, by the template's id
item-res-102 = Función de la UIT con respecto a las cuestiones de política pública internacional relacionadas con Internet y la gestión de los recursos de Internet, incluidos los nombres de dominio y las direcciones
item-res-101 = Redes basadas en el Protocolo Internet
item-res-130 = Fortalecimiento del papel de la UIT en la creación de confianza y seguridad en la utilización de las tecnologías de la información y la comunicación
item-res-140 = Función de la UIT en la aplicación de los resultados de la Cumbre Mundial sobre la Sociedad de la Información y de la Agenda 2030 para el Desarrollo Sostenible, así como en los procesos de seguimiento y examen
item-res-179 = Función de la UIT en la protección de la infancia en línea
item-res-206 = Servicios OTT
item-res-71 = Plan Estratégico de la Unión para 2028-2031
item-res-139 = Utilización de las telecomunicaciones/tecnologías de la información y la comunicación para reducir la brecha digital y crear una sociedad de la información integradora
item-res-203 = Conectividad a las redes de banda ancha
item-res-123 = Reducción de la disparidad entre los países en desarrollo y los desarrollados en materia de normalización
item-res-9 = Participación de los países, en particular de los países en desarrollo, en la gestión del espectro de frecuencias
item-dec-12 = Acceso en línea gratuito a las publicaciones de la UIT
item-res-66 = Documentos y publicaciones de la Unión
item-res-167 = Fortalecimiento y desarrollo de las capacidades de la UIT para celebrar reuniones electrónicas y medios para hacer avanzar la labor de la Unión
item-res-169 = Admisión de Instituciones Académicas para participar en los trabajos de la Unión
item-elections = Elección del Secretario General, el Vicesecretario General, los Directores de las Oficinas, los miembros de la Junta del Reglamento de Radiocomunicaciones y los Estados Miembros del Consejo

## ITU regions
region-africa = África
region-americas = Américas
region-asia-and-australasia = Asia y Australasia
region-eastern-europe-and-northern-asia = Europa Oriental y Asia Septentrional
region-western-europe = Europa Occidental
